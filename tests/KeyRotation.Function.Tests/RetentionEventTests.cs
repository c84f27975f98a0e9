using System.Text.Json;

namespace KeyRotation.Function.Tests;

public sealed class RetentionEventTests
{
    private static RetentionEvent Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return RetentionEvent.Parse(document.RootElement);
    }

    [Fact]
    public async Task ReadAsync_SampleCloudTrailEvent_IsAnAttemptedUseWithKeyCallAndCaller()
    {
        await using var input = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "events", "retention-attempted-use.json"));

        var use = (await RetentionEvent.ReadAsync(input, CancellationToken.None)).AttemptedUse;

        Assert.NotNull(use);
        Assert.Equal("arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", use.Key);
        Assert.Equal(("Decrypt", "DisabledException", "arn:aws:sts::111122223333:assumed-role/reports/batch"), (use.EventName, use.ErrorCode, use.UsedBy));
        Assert.Equal(new DateTimeOffset(2027, 1, 4, 10, 14, 52, TimeSpan.Zero), use.EventTime);
    }

    [Fact]
    public void Parse_NoResourcesButRequestKeyId_UsesTheRequestsKey()
    {
        var use = Parse("""{"detail-type":"AWS API Call via CloudTrail","source":"aws.kms","detail":{"errorCode":"KMSInvalidStateException","eventName":"GenerateDataKey","requestParameters":{"keyId":"alias/orders"},"userIdentity":{"type":"AWSService","principalId":"s3.amazonaws.com"}}}""").AttemptedUse!;

        Assert.Equal(("alias/orders", "s3.amazonaws.com"), (use.Key, use.UsedBy));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"dryRun":true}""")]
    [InlineData("""{"trigger":"schedule","scheduledTime":"2027-01-04T04:00:00Z"}""")]
    public void Parse_RunShapes_AreRuns(string json) => Assert.NotNull(Parse(json).Run);

    [Theory]
    [InlineData("""{"detail-type":"AWS API Call via CloudTrail","source":"aws.kms","detail":{"errorCode":"AccessDeniedException","resources":[{"type":"AWS::KMS::Key","ARN":"k"}]}}""")]
    [InlineData("""{"detail-type":"AWS API Call via CloudTrail","source":"aws.kms"}""")]
    [InlineData("""{"detail-type":"AWS API Call via CloudTrail","source":"aws.ec2","detail":{}}""")]
    [InlineData("""{"force":true}""")]
    [InlineData("[]")]
    public void Parse_OtherEvents_AreRefused(string json) => Assert.Throws<InvalidEventException>(() => Parse(json));
}
