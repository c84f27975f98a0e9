using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

/// <summary>PutKeyPolicy, GetKeyPolicy and ListKeyPolicies as the KMS API reference describes them, through the real SDK client.</summary>
public sealed class KeyPolicyTests
{
    /// <summary>A policy that gives the account (and so, in LocalKms, every caller) every KMS action.</summary>
    internal const string AccountPolicy = """{"Version":"2012-10-17","Id":"custom","Statement":[{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}""";

    /// <summary><see cref="AccountPolicy"/> padded with spaces (allowed whitespace) to exactly <paramref name="bytes"/> bytes.</summary>
    internal static string PolicyOfSize(int bytes) => AccountPolicy[..^1] + new string(' ', bytes - AccountPolicy.Length) + "}";

    [Fact]
    public async Task PutKeyPolicy_NoPolicyName_GetKeyPolicyReturnsTheNewPolicyAsDefault()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        var response = await kms.Client.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = AccountPolicy });
        var read = await kms.Client.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.Arn });

        Assert.Equal(200, (int)response.HttpStatusCode);
        Assert.Equal((AccountPolicy, "default"), (read.Policy, read.PolicyName));
    }

    [Fact]
    public async Task HandleAsync_PutThenListKeyPolicies_AnswersTheApiReferencesBodies()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        var policy = System.Text.Json.JsonSerializer.Serialize(AccountPolicy);

        var put = await kms.Service.HandleAsync("TrentService.PutKeyPolicy", $$"""{"KeyId":"{{key.KeyId}}","Policy":{{policy}}}""");
        var list = await kms.Service.HandleAsync("TrentService.ListKeyPolicies", $$"""{"KeyId":"{{key.KeyId}}"}""");

        Assert.Equal(new LocalKmsResponse(200, "{}"), put);
        Assert.Equal(new LocalKmsResponse(200, """{"PolicyNames":["default"],"Truncated":false}"""), list);
    }

    [Fact]
    public async Task PutKeyPolicy_PolicyNameDefault_ReplacesPolicy()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        await kms.Client.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.Arn, PolicyName = "default", Policy = AccountPolicy });

        Assert.Equal(AccountPolicy, kms.Service.GetKeySnapshot(key.KeyId)!.Policy);
    }

    [Fact]
    public async Task PutKeyPolicy_OtherPolicyName_ThrowsNotFoundAndKeepsPolicy()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        var before = kms.Service.GetKeySnapshot(key.KeyId)!.Policy;

        await Assert.ThrowsAsync<NotFoundException>(() => kms.Client.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, PolicyName = "other", Policy = AccountPolicy }));

        Assert.Equal(before, kms.Service.GetKeySnapshot(key.KeyId)!.Policy);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"Version":"2012-10-17"}""")]
    [InlineData("""{"Statement":[]}""")]
    [InlineData("""{"Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}""")]
    [InlineData("""{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"kms:*","Resource":"*"}]}""")]
    public async Task PutKeyPolicy_MalformedPolicy_ThrowsMalformedPolicyDocumentAndKeepsPolicy(string policy)
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        var before = kms.Service.GetKeySnapshot(key.KeyId)!.Policy;

        await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() => kms.Client.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = policy }));

        Assert.Equal(before, kms.Service.GetKeySnapshot(key.KeyId)!.Policy);
    }

    [Fact]
    public async Task PutKeyPolicy_OneByteOver32KB_ThrowsLimitExceeded()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        var error = await Assert.ThrowsAsync<LimitExceededException>(() => kms.Client.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = PolicyOfSize(32769) }));

        Assert.Contains("32768 bytes", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("   ", kms.Service.GetKeySnapshot(key.KeyId)!.Policy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutKeyPolicy_Exactly32KB_IsStored()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        await kms.Client.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = PolicyOfSize(32768) });

        Assert.Equal(32768, kms.Service.GetKeySnapshot(key.KeyId)!.Policy.Length);
    }

    [Fact]
    public async Task PutKeyPolicy_LatinOneCharactersOver32KBInUtf8_ThrowsLimitExceeded()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        var policy = AccountPolicy.Replace("\"Sid\":\"Admin\"", "\"Sid\":\"" + new string('é', 16400) + "\"", StringComparison.Ordinal);

        await Assert.ThrowsAsync<LimitExceededException>(() => kms.Client.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = policy }));
    }

    [Fact]
    public async Task PutKeyPolicy_CharacterBeyondLatinOne_ThrowsValidation()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        var policy = AccountPolicy.Replace("Admin", "Admin \u20ac", StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.Client.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = policy }));

        Assert.Equal("ValidationException", error.ErrorCode);
    }

    [Fact]
    public async Task PutKeyPolicy_Alias_ThrowsNotFound()
    {
        using var kms = new LocalKmsHarness();
        await kms.CreateKeyWithAliasAsync("alias/app");

        await Assert.ThrowsAsync<NotFoundException>(() => kms.Client.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = "alias/app", Policy = AccountPolicy }));
    }

    [Fact]
    public async Task PutKeyPolicy_ArnOfAnotherService_ThrowsInvalidArn()
    {
        using var kms = new LocalKmsHarness();

        await Assert.ThrowsAsync<InvalidArnException>(() => kms.Client.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = "arn:aws:s3:::bucket", Policy = AccountPolicy }));
    }

    [Fact]
    public async Task PutKeyPolicy_AwsManagedKey_ThrowsUnsupportedOperation()
    {
        using var kms = new LocalKmsHarness();
        var keyId = kms.Service.CreateAwsManagedKey("s3");

        await Assert.ThrowsAsync<UnsupportedOperationException>(() => kms.Client.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = keyId, Policy = AccountPolicy }));
    }

    [Fact]
    public async Task PutKeyPolicy_Replica_ChangesOnlyTheReplicasPolicy()
    {
        using var kms = new LocalKmsHarness();
        using var west = kms.Service.CreateClient("eu-west-1", c => c.MaxErrorRetry = 0);
        var primary = await kms.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true });
        await kms.Client.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = "eu-west-1" });

        await west.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = primary.KeyId, Policy = AccountPolicy });

        Assert.Equal(AccountPolicy, kms.Service.GetKeySnapshot(primary.KeyId, "eu-west-1")!.Policy);
        Assert.NotEqual(AccountPolicy, kms.Service.GetKeySnapshot(primary.KeyId)!.Policy);
    }

    [Fact]
    public async Task PutKeyPolicy_NewPolicy_SurvivesExportAndImportOfState()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        await kms.Client.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = AccountPolicy });
        var restored = new LocalKmsService();

        restored.ImportState(kms.Service.ExportState());

        Assert.Equal(AccountPolicy, restored.GetKeySnapshot(key.KeyId)!.Policy);
    }

    [Fact]
    public async Task ListKeyPolicies_Key_ReturnsDefaultOnlyNotTruncated()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        var response = await kms.Client.ListKeyPoliciesAsync(new ListKeyPoliciesRequest { KeyId = key.Arn });

        Assert.Equal(["default"], response.PolicyNames);
        Assert.Equal((false, null), (response.Truncated, response.NextMarker));
    }

    [Fact]
    public async Task ListKeyPolicies_Paginator_YieldsDefaultOnce()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        var names = new List<string>();

        await foreach (var name in kms.Client.Paginators.ListKeyPolicies(new ListKeyPoliciesRequest { KeyId = key.KeyId, Limit = 1 }).PolicyNames)
        {
            names.Add(name);
        }

        Assert.Equal(["default"], names);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task ListKeyPolicies_LimitOutsideOneTo1000_ThrowsValidation(int limit)
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        var error = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.Client.ListKeyPoliciesAsync(new ListKeyPoliciesRequest { KeyId = key.KeyId, Limit = limit }));

        Assert.Equal("ValidationException", error.ErrorCode);
    }

    [Fact]
    public async Task ListKeyPolicies_UnknownKey_ThrowsNotFound()
    {
        using var kms = new LocalKmsHarness();

        await Assert.ThrowsAsync<NotFoundException>(() => kms.Client.ListKeyPoliciesAsync(new ListKeyPoliciesRequest { KeyId = "1234abcd-12ab-34cd-56ef-1234567890ab" }));
    }

    [Fact]
    public async Task ListKeyPolicies_AwsManagedKey_ReturnsDefault()
    {
        using var kms = new LocalKmsHarness();
        var keyId = kms.Service.CreateAwsManagedKey("ebs");

        var response = await kms.Client.ListKeyPoliciesAsync(new ListKeyPoliciesRequest { KeyId = keyId });

        Assert.Equal(["default"], response.PolicyNames);
    }
}
