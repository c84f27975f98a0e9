using KeyRotation.Core.Notifications;

namespace KeyRotation.Core.Tests.Notifications;

public sealed class NotificationTopicArnTests
{
    [Fact]
    public void Parse_ValidArn_ExposesRegionAccountAndName()
    {
        var arn = NotificationTopicArn.Parse("arn:aws:sns:eu-west-1:123456789012:key-rotation_events");

        Assert.Equal(("aws", "eu-west-1", "123456789012", "key-rotation_events", false), (arn.Partition, arn.Region, arn.Account, arn.TopicName, arn.IsFifo));
    }

    [Fact]
    public void Parse_FifoTopic_IsFifo()
    {
        var arn = NotificationTopicArn.Parse("arn:aws:sns:us-east-1:123456789012:rotations.fifo");

        Assert.True(arn.IsFifo);
    }

    [Fact]
    public void Parse_ChinaPartition_ExposesChinaRegion()
    {
        var arn = NotificationTopicArn.Parse("arn:aws-cn:sns:cn-north-1:123456789012:rotations");

        Assert.Equal(("aws-cn", "cn-north-1"), (arn.Partition, arn.Region));
    }

    [Fact]
    public void ToString_ParsedArn_RoundTrips()
    {
        const string Text = "arn:aws-us-gov:sns:us-gov-west-1:123456789012:rotations";

        var arn = NotificationTopicArn.Parse(Text);

        Assert.Equal(Text, arn.ToString());
    }

    [Fact]
    public void Parse_WrongService_ThrowsNamingTheService()
    {
        var error = Assert.Throws<FormatException>(() => NotificationTopicArn.Parse("arn:aws:sqs:us-east-1:123456789012:rotations"));

        Assert.Contains("'sqs', not 'sns'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("12345678901")]
    [InlineData("1234567890123")]
    [InlineData("12345678901a")]
    public void Parse_BadAccount_ThrowsNamingTheAccount(string account)
    {
        var error = Assert.Throws<FormatException>(() => NotificationTopicArn.Parse($"arn:aws:sns:us-east-1:{account}:rotations"));

        Assert.Contains($"invalid account '{account}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("key rotation")]
    [InlineData("key.rotation")]
    [InlineData(".fifo")]
    [InlineData("rotations.FIFO")]
    public void Parse_BadTopicName_ThrowsNamingTheAllowedCharacters(string name)
    {
        var error = Assert.Throws<FormatException>(() => NotificationTopicArn.Parse($"arn:aws:sns:us-east-1:123456789012:{name}"));

        Assert.Contains("may contain only letters, digits, '_' and '-'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TopicNameLongerThan256_ThrowsNamingTheLimit()
    {
        var error = Assert.Throws<FormatException>(() => NotificationTopicArn.Parse($"arn:aws:sns:us-east-1:123456789012:{new string('a', 257)}"));

        Assert.Contains("1 to 256 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TopicNameOf256_Succeeds()
    {
        var arn = NotificationTopicArn.Parse($"arn:aws:sns:us-east-1:123456789012:{new string('a', 251)}.fifo");

        Assert.Equal(256, arn.TopicName.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("rotations")]
    [InlineData("arn:aws:sns:us-east-1:123456789012")]
    [InlineData("arn:aws:sns:us-east-1:123456789012:rotations:extra")]
    [InlineData("urn:aws:sns:us-east-1:123456789012:rotations")]
    public void TryParse_NotAnArn_ReturnsFalseWithExpectedShape(string value)
    {
        var parsed = NotificationTopicArn.TryParse(value, out var arn, out var error);

        Assert.False(parsed);
        Assert.Null(arn);
        Assert.Contains("arn:<partition>:sns:<region>:<12-digit account>:<topic name>", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("arn:aws:sns:US-EAST-1:123456789012:rotations", "invalid region")]
    [InlineData("arn:aws:sns::123456789012:rotations", "invalid region")]
    [InlineData("arn:amazon:sns:us-east-1:123456789012:rotations", "invalid partition")]
    public void TryParse_BadPartitionOrRegion_ReturnsFalseNamingThePart(string value, string expected)
    {
        var parsed = NotificationTopicArn.TryParse(value, out _, out var error);

        Assert.False(parsed);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Null_ReturnsFalse()
    {
        var parsed = NotificationTopicArn.TryParse(null, out var arn);

        Assert.False(parsed);
        Assert.Null(arn);
    }
}
