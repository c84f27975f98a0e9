using Amazon.S3;
using KeyRotation.Core.Pacing;
using KeyRotation.Integrations.Clients;
using KeyRotation.Integrations.Pacing;

namespace KeyRotation.Integrations.Tests.Clients;

public sealed class AwsClientsTests
{
    [Fact]
    public void CreateS3_CustomEndpointConfigured_AddressesBucketsPathStyle()
    {
        var environment = new Dictionary<string, string> { ["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:9000" };

        using var client = AwsClients.CreateS3(environment);

        var config = (AmazonS3Config)client.Config;
        Assert.True(config.ForcePathStyle);
        Assert.Equal("http://127.0.0.1:9000/", config.ServiceURL);
    }

    [Fact]
    public void CreateS3_GeneralEndpointOnly_AlsoAddressesBucketsPathStyle()
    {
        var environment = new Dictionary<string, string> { ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4566" };

        using var client = AwsClients.CreateS3(environment);

        Assert.True(((AmazonS3Config)client.Config).ForcePathStyle);
    }

    [Fact]
    public void CreateKms_WithoutRetries_IsTheCreateKeyClient()
    {
        var environment = new Dictionary<string, string> { ["AWS_ENDPOINT_URL_KMS"] = "http://127.0.0.1:4566" };

        var pacer = new KmsRequestPacer(KmsRequestQuotas.Default, TimeProvider.System);
        using var client = AwsClients.CreateKms(environment, pacer, retries: 0);

        Assert.Equal(0, client.Config.MaxErrorRetry);
        Assert.Equal("http://127.0.0.1:4566/", client.Config.ServiceURL);
        Assert.IsType<PacedHttpClientFactory>(client.Config.HttpClientFactory);
    }

    [Fact]
    public void CreateKmsRegions_EndpointConfigured_SignsEachClientForItsRegionAtThatEndpoint()
    {
        var environment = new Dictionary<string, string> { ["AWS_ENDPOINT_URL_KMS"] = "http://127.0.0.1:4566" };
        var regions = AwsClients.CreateKmsRegions(environment);

        var west = regions.For("eu-west-1");
        var sydney = regions.For("ap-southeast-2");

        Assert.Same(west, regions.For("eu-west-1"));
        Assert.Equal(("http://127.0.0.1:4566/", "eu-west-1", 10), (west.Config.ServiceURL, west.Config.AuthenticationRegion, west.Config.MaxErrorRetry));
        Assert.Equal(("http://127.0.0.1:4566/", "ap-southeast-2"), (sydney.Config.ServiceURL, sydney.Config.AuthenticationRegion));
    }

    [Fact]
    public void CreateKmsRegions_NoEndpointConfigured_SendsEachClientToItsRegion()
    {
        using var client = AwsClients.CreateKmsFor(new Dictionary<string, string>(), "ap-southeast-2");

        Assert.Equal(Amazon.RegionEndpoint.APSoutheast2, client.Config.RegionEndpoint);
        Assert.Null(client.Config.ServiceURL);
    }

    [Fact]
    public void CreateKeyFinder_ServiceSpecificEndpoint_IsUsedOverTheGeneralOne()
    {
        var environment = new Dictionary<string, string>
        {
            ["AWS_REGION"] = "eu-west-1",
            ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4566",
            ["AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API"] = "http://127.0.0.1:4599",
        };

        Assert.Equal(new Uri("http://127.0.0.1:4599/"), AwsClients.CreateKeyFinder(environment).Endpoint);
    }

    [Fact]
    public void CreateKeyFinder_NoEndpointConfigured_UsesTheRegionsTaggingEndpoint()
    {
        var environment = new Dictionary<string, string> { ["AWS_REGION"] = "eu-west-1" };

        Assert.Equal(new Uri("https://tagging.eu-west-1.amazonaws.com/"), AwsClients.CreateKeyFinder(environment).Endpoint);
    }
}
