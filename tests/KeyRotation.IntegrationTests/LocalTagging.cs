using Amazon.Runtime;
using KeyRotation.Integrations.Tagging;
using KeyRotation.LocalKms;

namespace KeyRotation.IntegrationTests;

/// <summary>The Resource Groups Tagging client pointed at a LocalKms in process (which answers GetResources for its keys).</summary>
internal static class LocalTagging
{
    public static ResourceTaggingClient Finder(LocalKmsService service, TimeProvider time) =>
        new(new HttpClient(new LocalKmsHttpMessageHandler(service)), service.Region, new Uri("http://localkms.invalid/"), _ => Task.FromResult(new ImmutableCredentials("test", "test", null)), time);
}
