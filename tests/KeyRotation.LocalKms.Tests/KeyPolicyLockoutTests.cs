using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace KeyRotation.LocalKms.Tests;

/// <summary>
/// The key policy lockout safety check of PutKeyPolicy (and CreateKey, which shares it): the new policy must let the
/// caller, named by its access key id, make a later PutKeyPolicy request, unless BypassPolicyLockoutSafetyCheck is set.
/// </summary>
public sealed class KeyPolicyLockoutTests
{
    private const string LockoutMessage = "The new key policy will not allow you to update the key policy in the future.";

    private static string Policy(string statements) => $$"""{"Version":"2012-10-17","Statement":[{{statements}}]}""";

    private static string Allow(string principal, string action) =>
        $$"""{"Effect":"Allow","Principal":{{principal}},"Action":{{action}},"Resource":"*"}""";

    /// <summary>An SDK client of the harness's service that signs with access key id <paramref name="accessKeyId"/>.</summary>
    private static AmazonKeyManagementServiceClient ClientSignedBy(LocalKmsHarness kms, string accessKeyId)
    {
        var config = kms.Service.CreateClientConfig();
        config.MaxErrorRetry = 0;
        return new AmazonKeyManagementServiceClient(new BasicAWSCredentials(accessKeyId, "secret"), config);
    }

    [Theory]
    [InlineData("\"*\"", "\"kms:PutKeyPolicy\"")]
    [InlineData("{\"AWS\":\"*\"}", "\"kms:*\"")]
    [InlineData("{\"AWS\":\"111122223333\"}", "\"*\"")]
    [InlineData("{\"AWS\":[\"arn:aws:iam::444455556666:root\",\"arn:aws:iam::111122223333:root\"]}", "[\"kms:Decrypt\",\"kms:Put*\"]")]
    [InlineData("{\"AWS\":\"arn:aws:iam::111122223333:role/test\"}", "\"KMS:putkeypolicy\"")]
    [InlineData("{\"AWS\":\"arn:aws:sts::111122223333:assumed-role/test/session\"}", "\"kms:PutKey?olicy\"")]
    public async Task PutKeyPolicy_PolicyLetsCallerPutAgain_IsStored(string principal, string action)
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        var policy = Policy(Allow(principal, action));

        await kms.Client.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = policy });

        Assert.Equal(policy, kms.Service.GetKeySnapshot(key.KeyId)!.Policy);
    }

    [Theory]
    [InlineData("{\"AWS\":\"*\"}", "[\"kms:Decrypt\",\"kms:GetKeyPolicy\"]")]
    [InlineData("{\"AWS\":\"arn:aws:iam::444455556666:root\"}", "\"kms:*\"")]
    [InlineData("{\"AWS\":\"arn:aws:iam::111122223333:role/KeyAdmin\"}", "\"kms:*\"")]
    [InlineData("{\"Service\":\"cloudtrail.amazonaws.com\"}", "\"kms:*\"")]
    public async Task PutKeyPolicy_PolicyLocksCallerOut_ThrowsMalformedPolicyDocumentAndKeepsPolicy(string principal, string action)
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        var before = kms.Service.GetKeySnapshot(key.KeyId)!.Policy;

        var error = await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() =>
            kms.Client.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = Policy(Allow(principal, action)) }));

        Assert.Equal(LockoutMessage, error.Message);
        Assert.Equal(before, kms.Service.GetKeySnapshot(key.KeyId)!.Policy);
    }

    [Fact]
    public async Task PutKeyPolicy_UnconditionalDenyOfPutKeyPolicy_ThrowsMalformedPolicyDocument()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        var policy = Policy(Allow("\"*\"", "\"kms:*\"") + """,{"Effect":"Deny","Principal":"*","Action":"kms:PutKeyPolicy","Resource":"*"}""");

        var error = await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() => kms.Client.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = policy }));

        Assert.Equal(LockoutMessage, error.Message);
    }

    [Fact]
    public async Task PutKeyPolicy_DenyWithCondition_IsNotCountedAgainstTheCaller()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        var deny = """{"Effect":"Deny","Principal":"*","Action":"kms:PutKeyPolicy","Resource":"*","Condition":{"Bool":{"kms:BypassPolicyLockoutSafetyCheck":"true"}}}""";
        var policy = Policy(Allow("\"*\"", "\"kms:*\"") + "," + deny);

        await kms.Client.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = policy });

        Assert.Equal(policy, kms.Service.GetKeySnapshot(key.KeyId)!.Policy);
    }

    [Fact]
    public async Task PutKeyPolicy_LockoutWithBypass_IsStored()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        var policy = Policy(Allow("{\"AWS\":\"*\"}", "\"kms:Decrypt\""));

        await kms.Client.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = policy, BypassPolicyLockoutSafetyCheck = true });

        Assert.Equal(policy, kms.Service.GetKeySnapshot(key.KeyId)!.Policy);
    }

    [Fact]
    public async Task PutKeyPolicy_RoleNamedByCallersAccessKey_PassesForThatCallerOnly()
    {
        using var kms = new LocalKmsHarness();
        using var keyAdmin = ClientSignedBy(kms, "KeyAdmin");
        var key = await kms.CreateKeyAsync();
        var policy = Policy(Allow("{\"AWS\":\"arn:aws:iam::111122223333:role/KeyAdmin\"}", "\"kms:*\""));

        await keyAdmin.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = policy });
        var other = await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() => kms.Client.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = policy }));

        Assert.Equal(policy, kms.Service.GetKeySnapshot(key.KeyId)!.Policy);
        Assert.Equal(LockoutMessage, other.Message);
    }

    [Fact]
    public async Task CreateKey_PolicyOnlyForAnotherRole_ThrowsMalformedPolicyDocument()
    {
        using var kms = new LocalKmsHarness();
        var policy = Policy(Allow("{\"AWS\":\"arn:aws:iam::111122223333:role/KeyAdmin\"}", "\"kms:*\""));

        var error = await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() => kms.CreateKeyAsync(new CreateKeyRequest { Policy = policy }));

        Assert.Equal(LockoutMessage, error.Message);
        Assert.Empty(kms.Service.ListKeySnapshots());
    }

    [Fact]
    public async Task CreateKey_PolicyOver32KB_ThrowsLimitExceeded()
    {
        using var kms = new LocalKmsHarness();

        await Assert.ThrowsAsync<LimitExceededException>(() => kms.CreateKeyAsync(new CreateKeyRequest { Policy = KeyPolicyTests.PolicyOfSize(40000) }));

        Assert.Empty(kms.Service.ListKeySnapshots());
    }
}
