using KeyRotation.Core.Notifications;
using KeyRotation.Integrations.Notifications;

namespace KeyRotation.Integrations.Tests.Notifications;

public sealed class SnsClientOptionsTests
{
    [Fact]
    public void ResolveEndpoint_NoServiceUrl_IsRegionalEndpoint()
    {
        var options = new SnsClientOptions { Region = "eu-central-1" };

        Assert.Equal(new Uri("https://sns.eu-central-1.amazonaws.com/"), options.ResolveEndpoint());
    }

    [Fact]
    public void ResolveEndpoint_ChinaRegion_UsesComCnSuffix()
    {
        var options = new SnsClientOptions { Region = "cn-northwest-1" };

        Assert.Equal(new Uri("https://sns.cn-northwest-1.amazonaws.com.cn/"), options.ResolveEndpoint());
    }

    [Fact]
    public void ResolveEndpoint_ServiceUrl_WinsOverRegion()
    {
        var options = new SnsClientOptions { Region = "us-east-1", ServiceUrl = new Uri("http://localhost:4566/") };

        Assert.Equal(new Uri("http://localhost:4566/"), options.ResolveEndpoint());
    }

    [Fact]
    public void ForTopic_Topic_UsesTopicRegion()
    {
        var options = SnsClientOptions.ForTopic(NotificationTopicArn.Parse("arn:aws:sns:ap-southeast-2:123456789012:rotations"));

        Assert.Equal("ap-southeast-2", options.Region);
    }

    [Theory]
    [InlineData("")]
    [InlineData("us-east-1.evil.example")]
    [InlineData("US-EAST-1")]
    public void Validate_BadRegion_ThrowsNamingIt(string region)
    {
        var options = new SnsClientOptions { Region = region };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains($"'{region}' is not a valid AWS region", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ZeroMaxAttempts_Throws()
    {
        var options = new SnsClientOptions { Region = "us-east-1", MaxAttempts = 0 };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("at least 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RelativeServiceUrl_Throws()
    {
        var options = new SnsClientOptions { Region = "us-east-1", ServiceUrl = new Uri("/sns", UriKind.Relative) };

        Assert.Throws<ArgumentException>(options.Validate);
    }
}
