using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.Time.Testing;
using KeyRotation.Integrations.Composition;

namespace KeyRotation.Core.Tests;

public sealed partial class RotationEngineTests
{
    private const string AliasName = "alias/orders";
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);
    private readonly KmsMock _kms;
    private readonly RecordingNotifier _notifier = new();

    public RotationEngineTests()
    {
        _kms = new KmsMock(_time);
    }

    [Fact]
    public async Task RunAsync_FreshAlias_CreatesKeyCopyingSpecUsageDescriptionPolicyWithOnlyThisToolsTags()
    {
        var old = _kms.AddKey(AliasName, KeySpec.HMAC_256, KeyUsageType.GENERATE_VERIFY_MAC, tags: new Dictionary<string, string> { ["team"] = "payments", ["keyrotation:state"] = "active" });
        _kms.Policies[old.KeyId] = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"custom\"}]}";

        var report = await RunAsync(Request());

        var create = Assert.Single(_kms.Requests<CreateKeyRequest>());
        Assert.Equal(KeySpec.HMAC_256, create.KeySpec);
        Assert.Equal(KeyUsageType.GENERATE_VERIFY_MAC, create.KeyUsage);
        Assert.Equal("Orders data key", create.Description);
        Assert.Equal(_kms.Policies[old.KeyId], create.Policy);
        Assert.Equal(OriginType.AWS_KMS, create.Origin);
        Assert.False(create.BypassPolicyLockoutSafetyCheck);
        Assert.False(create.MultiRegion);
        var tags = create.Tags.ToDictionary(t => t.TagKey, t => t.TagValue);
        Assert.All(tags.Keys, key => Assert.StartsWith(RotationTags.Prefix, key, StringComparison.Ordinal));
        Assert.Equal(AliasName, tags[RotationTags.Alias]);
        Assert.Equal(old.KeyId, tags[RotationTags.PreviousKey]);
        Assert.Equal("rot-test", tags[RotationTags.RotationId]);
        Assert.Equal("2026-12-01T03:00:00Z", tags[RotationTags.CreatedAt]);
        Assert.Equal("2", tags[RotationTags.Generation]);
        Assert.Equal("1", tags[RotationTags.Sequence]);
        Assert.Equal(RotationTags.KeyStates.Pending, tags[RotationTags.State]);
        Assert.Equal(RotationOutcome.Rotated, Assert.Single(report.Results).Outcome);
    }

    [Fact]
    public async Task RunAsync_FreshAlias_SealsTheNewKeyWithTheCopiedTagsAndItsFinalStateBeforeTheMove()
    {
        var old = _kms.AddKey(AliasName, tags: new Dictionary<string, string> { ["team"] = "payments", ["keyrotation:state"] = "active" });

        var result = Assert.Single((await RunAsync(Request())).Results);

        var writes = _kms.Calls.Where(c => KmsMock.WriteOperations.Contains(c.Operation)).Select(c => c.Request).ToList();
        var createIndex = writes.FindIndex(w => w is CreateKeyRequest);
        var seal = Assert.IsType<TagResourceRequest>(writes[createIndex + 1]);
        Assert.Equal(result.NewKeyId, seal.KeyId);
        Assert.Equal(
            new Dictionary<string, string> { ["team"] = "payments", [RotationTags.Sealed] = RotationTags.SealedValue, [RotationTags.State] = RotationTags.KeyStates.Active },
            seal.Tags.ToDictionary(t => t.TagKey, t => t.TagValue));
        Assert.Equal((AliasName, result.NewKeyId), (Assert.IsType<UpdateAliasRequest>(writes[createIndex + 2]).AliasName, ((UpdateAliasRequest)writes[createIndex + 2]).TargetKeyId));
        Assert.NotEqual(old.KeyId, result.NewKeyId);
    }

    [Fact]
    public async Task RunAsync_ResumingAnAlreadySealedKey_WritesNoSetupTagsAgain()
    {
        _kms.AddKey(AliasName, tags: new Dictionary<string, string> { ["team"] = "payments" });
        _kms.FailNext["UpdateAlias"] = new KMSInternalException("lost before recording");
        Assert.Equal(RotationOutcome.Failed, Assert.Single((await RunAsync(Request())).Results).Outcome);

        var result = Assert.Single((await RunAsync(Request() with { RotationId = "rot-2" })).Results);

        Assert.Equal((RotationOutcome.Rotated, true), (result.Outcome, result.Resumed));
        var created = Assert.Single(_kms.Requests<CreateKeyRequest>());
        Assert.Single(_kms.Requests<TagResourceRequest>(), r => r.KeyId == result.NewKeyId && r.Tags.Any(t => t.TagKey == RotationTags.Sealed));
        Assert.Equal(("payments", RotationTags.SealedValue), (_kms.Tags[result.NewKeyId!]["team"], _kms.Tags[result.NewKeyId!][RotationTags.Sealed]));
        Assert.DoesNotContain(created.Tags, t => t.TagKey == "team");
    }

    [Fact]
    public async Task RunAsync_FreshAlias_ClaimsCreatesSealsMovesThenRetiresOldKeyLast()
    {
        var old = _kms.AddKey(AliasName);

        var result = Assert.Single((await RunAsync(Request())).Results);

        var newKeyId = result.NewKeyId!;
        var writes = _kms.Calls.Where(c => KmsMock.WriteOperations.Contains(c.Operation)).ToList();
        Assert.Equal(["CreateAlias", "CreateKey", "TagResource", "UpdateAlias", "TagResource"], writes.Select(w => w.Operation));
        var claim = Assert.IsType<CreateAliasRequest>(writes[0].Request);
        Assert.Equal(("alias/keyrotation/orders/1", old.KeyId), (claim.AliasName, claim.TargetKeyId));
        var seal = Assert.IsType<TagResourceRequest>(writes[2].Request);
        Assert.Equal((newKeyId, RotationTags.KeyStates.Active), (seal.KeyId, seal.Tags.Single(t => t.TagKey == RotationTags.State).TagValue));
        var move = Assert.IsType<UpdateAliasRequest>(writes[3].Request);
        Assert.Equal((AliasName, newKeyId), (move.AliasName, move.TargetKeyId));
        var retire = Assert.IsType<TagResourceRequest>(writes[4].Request);
        Assert.Equal(old.KeyId, retire.KeyId);
        Assert.Equal(
            new Dictionary<string, string> { [RotationTags.Alias] = AliasName, [RotationTags.State] = "retired", [RotationTags.RetiredAt] = "2026-12-01T03:00:00Z", [RotationTags.SuccessorKey] = newKeyId, [RotationTags.Sealed] = RotationTags.SealedValue },
            retire.Tags.ToDictionary(t => t.TagKey, t => t.TagValue));
        Assert.Equal(newKeyId, _kms.Aliases[AliasName].KeyId);
        Assert.Equal(old.KeyId, _kms.Aliases["alias/keyrotation/orders/1"].KeyId);
        Assert.Equal((old.KeyId, newKeyId), (result.PreviousKeyId, result.NewKeyId));
    }

    [Fact]
    public async Task RunAsync_Rotated_NotifiesOnceWithAliasAndOutcome()
    {
        _kms.AddKey(AliasName);

        await RunAsync(Request());

        var notice = Assert.Single(_notifier.Notices);
        Assert.Equal("KMS key rotation Rotated: alias/orders", notice.Subject);
        Assert.Equal(AliasName, notice.Attributes["alias"]);
        Assert.Equal("Rotated", notice.Attributes["outcome"]);
        Assert.Contains("rot-test", notice.Body, StringComparison.Ordinal);
        Assert.Contains("Account:      111122223333", notice.Body, StringComparison.Ordinal);
        Assert.Contains("Region:       eu-west-1", notice.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_SecondRotation_ClaimsNextMarkerAndIncrementsGeneration()
    {
        _kms.AddKey(AliasName);
        await RunAsync(Request());
        _time.Advance(TimeSpan.FromDays(31));

        await RunAsync(Request() with { RotationId = "rot-2" });

        var second = _kms.Requests<CreateKeyRequest>().Last().Tags.ToDictionary(t => t.TagKey, t => t.TagValue);
        Assert.Equal("3", second[RotationTags.Generation]);
        Assert.Equal("2", second[RotationTags.Sequence]);
        Assert.Equal("alias/keyrotation/orders/2", _kms.Requests<CreateAliasRequest>().Last().AliasName);
    }

    [Fact]
    public void Constructor_ExternalOriginWithoutImporter_Throws()
    {
        var options = new RotationOptions { KeyMaterialOrigin = KeyMaterialOrigin.External };

        var error = Assert.Throws<ArgumentException>(() => RotationComposition.Engine(_kms.Object, _notifier, options, _time, NullRotationLog.Instance));

        Assert.Contains("key material importer", error.Message, StringComparison.Ordinal);
    }

    private static RotationRequest Request() => new() { RotationId = "rot-test", Aliases = [AliasName] };

    private Task<RotationReport> RunAsync(RotationRequest request, TimeSpan? minKeyAge = null, int concurrency = 1)
    {
        var options = new RotationOptions { MinKeyAge = minKeyAge ?? TimeSpan.FromHours(24), MaxConcurrency = concurrency };
        return RotationComposition.Engine(_kms.Object, _notifier, options, _time, NullRotationLog.Instance, keyFinder: _kms.Finder).RunAsync(request, CancellationToken.None);
    }

    /// <summary>No write, except touching the alias's clock alias (how a run reads KMS's time to age a claim).</summary>
    private void AssertNoWrites() =>
        Assert.DoesNotContain(_kms.Calls, c => KmsMock.WriteOperations.Contains(c.Operation) && c.Request switch
        {
            UpdateAliasRequest u => u.AliasName != "alias/keyrotation/orders/clock",
            CreateAliasRequest a => a.AliasName != "alias/keyrotation/orders/clock",
            _ => true,
        });
}
