using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core;

namespace KeyRotation.IntegrationTests.Rotation;

public sealed class FullRotationTests : IDisposable
{
    private const string Alias = "alias/orders";
    private readonly RotationWorld _world = new();

    [Fact]
    public async Task Rotate_CiphertextFromBefore_StillDecryptsAfter()
    {
        await _world.CreateAliasedKeyAsync(Alias);
        var before = await _world.Client.EncryptAsync(new EncryptRequest { KeyId = Alias, Plaintext = new MemoryStream(Encoding.UTF8.GetBytes("order 1")) });

        var response = await _world.InvokeAsync("{}", Alias);
        Assert.Equal("Rotated", response.GetProperty("results")[0].GetProperty("outcome").GetString());

        var decrypted = await _world.Client.DecryptAsync(new DecryptRequest { CiphertextBlob = before.CiphertextBlob });
        Assert.Equal("order 1", Encoding.UTF8.GetString(decrypted.Plaintext.ToArray()));
    }

    [Fact]
    public async Task Rotate_EncryptionThroughTheAlias_UsesTheNewKey()
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);

        var response = await _world.InvokeAsync("{}", Alias);
        var after = await _world.Client.EncryptAsync(new EncryptRequest { KeyId = Alias, Plaintext = new MemoryStream([1, 2, 3]) });

        var newKeyId = response.GetProperty("results")[0].GetProperty("newKeyId").GetString()!;
        Assert.NotEqual(old.KeyId, newKeyId);
        Assert.EndsWith("key/" + newKeyId, after.KeyId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_NewKey_CarriesPolicyDescriptionSpecUsageAndUserTags()
    {
        await _world.CreateAliasedKeyAsync(Alias, KeySpec.HMAC_384, KeyUsageType.GENERATE_VERIFY_MAC);

        var response = await _world.InvokeAsync("{}", Alias);

        var key = _world.Key(response.GetProperty("results")[0].GetProperty("newKeyId").GetString()!);
        Assert.Equal(("HMAC_384", "GENERATE_VERIFY_MAC", "Enabled"), (key.KeySpec, key.KeyUsage, key.KeyState));
        Assert.Equal("Key behind alias/orders", key.Description);
        Assert.Equal(RotationWorld.Policy, key.Policy);
        Assert.Equal(("payments", "cc-42"), (key.Tags["team"], key.Tags["cost-centre"]));
        Assert.Equal(("2", "active", Alias), (key.Tags[RotationTags.Generation], key.Tags[RotationTags.State], key.Tags[RotationTags.Alias]));
    }

    [Fact]
    public async Task Rotate_OldKey_StaysEnabledAndNamesItsSuccessor()
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);

        var response = await _world.InvokeAsync("{}", Alias);

        var retired = _world.Key(old.KeyId);
        Assert.Equal("Enabled", retired.KeyState);
        Assert.Equal("retired", retired.Tags[RotationTags.State]);
        Assert.Equal(response.GetProperty("results")[0].GetProperty("newKeyId").GetString(), retired.Tags[RotationTags.SuccessorKey]);
        Assert.Equal(old.KeyId, _world.Key(retired.Tags[RotationTags.SuccessorKey]).Tags[RotationTags.PreviousKey]);
    }

    [Fact]
    public async Task Rotate_Notification_PublishedToTheTopicWithAttributes()
    {
        await _world.CreateAliasedKeyAsync(Alias);

        await _world.InvokeAsync("{}", Alias);

        var published = Assert.Single(_world.Sns.Snapshot());
        Assert.Equal(RotationWorld.TopicArn, published["TopicArn"]);
        Assert.Equal("KMS key rotation Rotated: alias/orders", published["Subject"]);
        Assert.Equal(("alias", Alias), (published["MessageAttributes.entry.1.Name"], published["MessageAttributes.entry.1.Value.StringValue"]));
        Assert.Contains("stays enabled", published["Message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_AsymmetricKey_NotificationTellsConsumersToRefetchThePublicKey()
    {
        await _world.CreateAliasedKeyAsync(Alias, KeySpec.ECC_NIST_P256, KeyUsageType.SIGN_VERIFY);

        await _world.InvokeAsync("{}", Alias);

        Assert.Contains("GetPublicKey", Assert.Single(_world.Sns.Snapshot())["Message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_DryRun_ChangesNothingInKms()
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);
        _world.Kms.ClearRecordedRequests();

        var response = await _world.InvokeAsync("""{"dryRun":true}""", Alias);

        Assert.Equal("Planned", response.GetProperty("results")[0].GetProperty("outcome").GetString());
        Assert.Equal(old.KeyId, _world.Key(Alias).KeyId);
        Assert.All(_world.Kms.RecordedRequests, r => Assert.Contains(r.Operation, new[] { "DescribeKey", "ListResourceTags" }));
        Assert.Empty(_world.Sns.Snapshot());
    }

    public void Dispose() => _world.Dispose();
}
