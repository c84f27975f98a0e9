using System.Globalization;
using System.Reflection;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Moq;

namespace KeyRotation.Testing;

/// <summary>
/// The SDK's own paginators over a mocked KMS client: the code under test pages with <c>kms.Paginators</c>, which a Moq
/// mock would answer with null (or, strict, throw). The factory has no public constructor, so it is made by
/// reflection; its paginators then call the mock's List* methods, which the test sets up and records as usual.
/// </summary>
internal static class SdkPaginators
{
    public static void PageThroughSdkPaginators(this Mock<IAmazonKeyManagementService> kms) =>
        kms.Setup(k => k.Paginators).Returns(() => (IKeyManagementServicePaginatorFactory)Activator.CreateInstance(
            typeof(KeyManagementServicePaginatorFactory), BindingFlags.Instance | BindingFlags.NonPublic, null, [kms.Object], CultureInfo.InvariantCulture)!);
}
