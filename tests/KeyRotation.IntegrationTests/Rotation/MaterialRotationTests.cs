using Amazon.KeyManagementService;
using KeyRotation.Core;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>The strategy material through the real handler, SDK and LocalKms: new material in the same key.</summary>
public sealed class MaterialRotationTests : IDisposable
{
    private const string Alias = "alias/orders";
    private readonly RotationWorld _world = new();

    [Fact]
    public async Task Rotate_Material_KeyIdUnchangedAndCiphertextFromBeforeStillDecrypts()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        _world.UseStrategy("material");
        var before = await _world.EncryptAsync(Alias, "order 1");
        var materialBefore = await _world.CurrentMaterialAsync(key.KeyId);

        var response = await _world.InvokeAsync("{}", Alias);

        var result = response.GetProperty("results")[0];
        Assert.Equal(("Rotated", "material"), (result.GetProperty("outcome").GetString(), result.GetProperty("method").GetString()));
        Assert.Equal((key.KeyId, key.KeyId), (result.GetProperty("previousKeyId").GetString(), result.GetProperty("newKeyId").GetString()));
        Assert.Equal(key.KeyId, _world.Key(Alias).KeyId);
        Assert.Equal("order 1", await _world.DecryptAsync(before));
        var materialAfter = await _world.CurrentMaterialAsync(key.KeyId);
        Assert.NotEqual(materialBefore, materialAfter);
        Assert.Equal(materialAfter, Assert.Single(await _world.OnDemandRotationsAsync(key.KeyId)).KeyMaterialId);
        Assert.Empty(_world.CreatedFor(Alias));
    }

    [Fact]
    public async Task Rotate_Material_CallsRotateKeyOnDemandOnceWithTheKeyIdNeverTheAlias()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        _world.UseStrategy("material");
        _world.Kms.ClearRecordedRequests();

        await _world.InvokeAsync("{}", Alias);

        var rotate = System.Text.Json.Nodes.JsonNode.Parse(Assert.Single(_world.Kms.RecordedRequests, r => r.Operation == "RotateKeyOnDemand").Body)!;
        Assert.Equal(key.KeyId, (string?)rotate["KeyId"]);
    }

    [Fact]
    public async Task Rotate_Material_KeyRecordsTheMoveAndIsActive()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        _world.UseStrategy("material");

        await _world.InvokeAsync(MaterialWorld.Scheduled, Alias);

        var after = _world.Key(key.KeyId);
        Assert.Equal(("1", "active", Alias), (after.Tags[RotationTags.Sequence], after.Tags[RotationTags.State], after.Tags[RotationTags.Alias]));
        Assert.Equal(("1", "2026-12-31T03:00Z"), (after.Tags[RotationTags.MaterialMove], after.Tags[RotationTags.ScheduleSlot]));
        Assert.Equal(await _world.CurrentMaterialAsync(key.KeyId), after.Tags[RotationTags.KeyMaterialId]);
        Assert.Contains("alias/keyrotation/orders/1", after.Aliases);
    }

    [Fact]
    public async Task Rotate_Material_NotificationSaysMethodAndNothingToDo()
    {
        await _world.CreateAliasedKeyAsync(Alias);
        _world.UseStrategy("material");

        await _world.InvokeAsync("{}", Alias);

        var message = Assert.Single(_world.Sns.Snapshot())["Message"];
        Assert.Contains("Method:       material", message, StringComparison.Ordinal);
        Assert.Contains("key id unchanged; nothing to do for consumers; data encrypted before still decrypts", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Grants on", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_SameScheduledEventDeliveredTwice_RotatesTheMaterialOnce()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        _world.UseStrategy("material");

        await _world.InvokeAsync(MaterialWorld.Scheduled, Alias);
        var second = await _world.InvokeAsync(MaterialWorld.Scheduled, Alias);

        Assert.Equal("Skipped", second.GetProperty("results")[0].GetProperty("outcome").GetString());
        Assert.Single(await _world.OnDemandRotationsAsync(key.KeyId));
        Assert.Single(_world.Sns.Snapshot());
    }

    [Fact]
    public async Task Rotate_MaterialInTwoSlots_RotatesTwiceUnderTwoMoves()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        _world.UseStrategy("material");

        await _world.InvokeAsync(MaterialWorld.Scheduled, Alias);
        _world.Time.Advance(TimeSpan.FromDays(31));
        var second = await _world.InvokeAsync("""{"trigger":"schedule","scheduledTime":"2027-01-31T03:00:00Z"}""", Alias);

        Assert.Equal("Rotated", second.GetProperty("results")[0].GetProperty("outcome").GetString());
        Assert.Equal(2, (await _world.OnDemandRotationsAsync(key.KeyId)).Count);
        Assert.Equal(("2", "active"), (_world.Key(key.KeyId).Tags[RotationTags.Sequence], _world.Key(key.KeyId).Tags[RotationTags.State]));
        Assert.Contains("alias/keyrotation/orders/2", _world.Key(key.KeyId).Aliases);
    }

    [Fact]
    public async Task Rotate_MaterialRightAfterMaterial_IsDeferredByTheMinimumAge()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        _world.UseStrategy("material");
        await _world.InvokeAsync("{}", Alias);
        _world.Time.Advance(TimeSpan.FromHours(2));

        var second = await _world.InvokeAsync("{}", Alias);

        var result = second.GetProperty("results")[0];
        Assert.Equal("Skipped", result.GetProperty("outcome").GetString());
        Assert.Contains("got new key material 2 hours ago", result.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Single(await _world.OnDemandRotationsAsync(key.KeyId));
    }

    [Fact]
    public async Task Rotate_NewKeyAfterMaterial_ContinuesTheChainFromTheRotatedKey()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        _world.UseStrategy("material");
        await _world.InvokeAsync("{}", Alias);
        _world.Time.Advance(TimeSpan.FromDays(31));
        _world.UseStrategy("new-key");

        var response = await _world.InvokeAsync("{}", Alias);

        var newKey = _world.Key(response.GetProperty("results")[0].GetProperty("newKeyId").GetString()!);
        Assert.Equal((key.KeyId, "2"), (newKey.Tags[RotationTags.PreviousKey], newKey.Tags[RotationTags.Sequence]));
        Assert.Equal("retired", _world.Key(key.KeyId).Tags[RotationTags.State]);
    }

    [Theory]
    [InlineData("HMAC_256", "GENERATE_VERIFY_MAC")]
    [InlineData("RSA_2048", "ENCRYPT_DECRYPT")]
    [InlineData("ECC_NIST_P256", "SIGN_VERIFY")]
    public async Task Rotate_MaterialOnAKeyKmsDoesNotRotate_FailsNamingTheReasonAndChangesNothing(string spec, string usage)
    {
        var key = await _world.CreateAliasedKeyAsync(Alias, new KeySpec(spec), new KeyUsageType(usage));
        _world.UseStrategy("material");
        _world.Kms.ClearRecordedRequests();

        await Assert.ThrowsAnyAsync<Exception>(() => _world.InvokeAsync("{}", Alias));

        Assert.Contains("KMS rotates key material on demand only for symmetric encryption keys", _world.Logs, StringComparison.Ordinal);
        Assert.DoesNotContain(_world.Kms.RecordedRequests, r => r.Operation is "CreateAlias" or "TagResource" or "RotateKeyOnDemand" or "CreateKey");
        Assert.Equal(key.KeyId, _world.Key(Alias).KeyId);
    }

    [Fact]
    public async Task Rotate_MaterialAtTheCap_FailsNamingTheCapAndChangesNothing()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        await _world.RotateByHandAsync(key.KeyId, 25);
        _world.UseStrategy("material");
        _world.Kms.ClearRecordedRequests();

        await Assert.ThrowsAnyAsync<Exception>(() => _world.InvokeAsync("{}", Alias));

        Assert.Contains("has used all 25 on-demand rotations KMS allows per key", _world.Logs, StringComparison.Ordinal);
        Assert.DoesNotContain(_world.Kms.RecordedRequests, r => r.Operation is "CreateAlias" or "TagResource" or "RotateKeyOnDemand" or "CreateKey");
    }

    [Fact]
    public async Task Rotate_MaterialWhenKmsRefusesWithLimitExceeded_FailsWithoutRetryingAndReleasesTheClaim()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        _world.Kms.Faults.FailNth("RotateKeyOnDemand", _world.Kms.Faults.CallCount("RotateKeyOnDemand") + 1, "LimitExceededException", "The request was rejected because the on-demand rotation limit was reached.");
        _world.Kms.ClearRecordedRequests();

        var result = await _world.RunEngineAsync(Alias, RotationStrategy.Material);

        Assert.Equal(RotationOutcome.Failed, result.Outcome);
        Assert.Contains("all 25 on-demand rotations it allows", result.Reason, StringComparison.Ordinal);
        Assert.Single(_world.Kms.RecordedRequests, r => r.Operation == "RotateKeyOnDemand");
        Assert.Equal("alias/keyrotation/orders/1", _world.Key(key.KeyId).Tags[RotationTags.ClaimReleased]);
        Assert.Empty(await _world.OnDemandRotationsAsync(key.KeyId));
    }

    [Fact]
    public async Task Rotate_AutoWhenKmsRefusesWithLimitExceeded_GoesOnWithANewKeyUnderTheSameClaim()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        _world.Kms.Faults.FailNth("RotateKeyOnDemand", _world.Kms.Faults.CallCount("RotateKeyOnDemand") + 1, "LimitExceededException", "The request was rejected because the on-demand rotation limit was reached.");

        var result = await _world.RunEngineAsync(Alias, RotationStrategy.Auto);

        Assert.Equal((RotationOutcome.Rotated, RotationMethod.NewKey), (result.Outcome, result.Method));
        Assert.Contains("all 25 on-demand rotations it allows", result.MethodReason, StringComparison.Ordinal);
        var created = Assert.Single(_world.CreatedFor(Alias));
        Assert.Equal((created.KeyId, "1"), (_world.Key(Alias).KeyId, created.Tags[RotationTags.Sequence]));
        Assert.Equal("retired", _world.Key(key.KeyId).Tags[RotationTags.State]);
    }

    [Fact]
    public async Task Rotate_MaterialWhileARotationIsInProgress_WaitsForItInsteadOfFailing()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        _world.Kms.Faults.FailNth("RotateKeyOnDemand", _world.Kms.Faults.CallCount("RotateKeyOnDemand") + 1, "ConflictException", "An on-demand rotation is already in progress.");
        _world.Kms.ClearRecordedRequests();

        var result = await _world.RunEngineAsync(Alias, RotationStrategy.Material);

        Assert.Equal(RotationOutcome.Rotated, result.Outcome);
        Assert.Equal(2, _world.Kms.RecordedRequests.Count(r => r.Operation == "RotateKeyOnDemand"));
        Assert.Single(await _world.OnDemandRotationsAsync(key.KeyId));
    }

    [Fact]
    public async Task Rotate_MaterialAfterTheDeadlineWhileWaiting_StopsAndTheNextRunRecordsTheRotationWithoutASecondOne()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        _world.Kms.HoldOnDemandRotations = true;

        var first = await _world.RunEngineAsync(Alias, RotationStrategy.Material);
        _world.Kms.CompleteOnDemandRotations();
        var second = await _world.RunEngineAsync(Alias, RotationStrategy.Material);

        Assert.Equal(RotationOutcome.Skipped, first.Outcome);
        Assert.Contains("still in progress", first.Reason, StringComparison.Ordinal);
        Assert.Equal((RotationOutcome.Rotated, true), (second.Outcome, second.Resumed));
        Assert.Single(_world.Kms.RecordedRequests, r => r.Operation == "RotateKeyOnDemand");
        Assert.Single(await _world.OnDemandRotationsAsync(key.KeyId));
        Assert.Equal(("1", "active"), (_world.Key(key.KeyId).Tags[RotationTags.Sequence], _world.Key(key.KeyId).Tags[RotationTags.State]));
    }

    [Fact]
    public async Task Rotate_StrategyTagOnTheKey_OverridesTheEnvironment()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        await _world.TagStrategyAsync(key.KeyId, "material");

        var response = await _world.InvokeAsync("{}", Alias);

        Assert.Equal("material", response.GetProperty("results")[0].GetProperty("method").GetString());
        Assert.Single(await _world.OnDemandRotationsAsync(key.KeyId));
    }

    [Fact]
    public async Task Rotate_StrategyTagWithABadValue_FailsNamingItAndTheAllowedOnes()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        await _world.TagStrategyAsync(key.KeyId, "sometimes");
        _world.Kms.ClearRecordedRequests();

        await Assert.ThrowsAnyAsync<Exception>(() => _world.InvokeAsync("{}", Alias));

        Assert.Contains("keyrotation:strategy=sometimes, which is not a rotation strategy; use new-key, material or auto", _world.Logs, StringComparison.Ordinal);
        Assert.DoesNotContain(_world.Kms.RecordedRequests, r => r.Operation is "CreateAlias" or "TagResource" or "CreateKey");
    }

    [Fact]
    public async Task Rotate_NewKeyFromAKeyWithAStrategyTag_TheNewKeyKeepsTheTag()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias, KeySpec.HMAC_256, KeyUsageType.GENERATE_VERIFY_MAC);
        await _world.TagStrategyAsync(key.KeyId, "auto");

        var response = await _world.InvokeAsync("{}", Alias);

        Assert.Equal("auto", _world.Key(response.GetProperty("results")[0].GetProperty("newKeyId").GetString()!).Tags[RotationTags.Strategy]);
    }

    [Fact]
    public async Task Plan_Material_SaysTheKeyStaysAndWhichRotationItWouldBe()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        await _world.RotateByHandAsync(key.KeyId, 3);
        _world.UseStrategy("material");

        var response = await _world.InvokeAsync("""{"dryRun":true}""", Alias);

        var result = response.GetProperty("results")[0];
        Assert.Equal(("Planned", "material"), (result.GetProperty("outcome").GetString(), result.GetProperty("method").GetString()));
        Assert.Contains("rotation 4 of 25", result.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, (await _world.OnDemandRotationsAsync(key.KeyId)).Count);
    }

    [Theory]
    [InlineData("Material")]
    [InlineData("in-place")]
    public async Task Invoke_UnknownRotationStrategy_RefusedNamingTheValueBeforeAnyCall(string strategy)
    {
        await _world.CreateAliasedKeyAsync(Alias);
        _world.UseStrategy(strategy);
        _world.Kms.ClearRecordedRequests();

        var error = await Assert.ThrowsAsync<KeyRotation.Core.Configuration.ConfigurationException>(() => _world.InvokeAsync("{}", Alias));

        Assert.Contains($"ROTATION_STRATEGY: '{strategy}' is not a rotation strategy; use new-key, material or auto.", error.Message, StringComparison.Ordinal);
        Assert.Empty(_world.Kms.RecordedRequests);
    }

    public void Dispose() => _world.Dispose();
}
