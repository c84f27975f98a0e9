using KeyRotation.Core;

namespace KeyRotation.IntegrationTests.KeyMaterial;

/// <summary>The run dies at each call of a fresh EXTERNAL rotation in turn; the next run must converge.</summary>
public sealed class ByokCrashTests
{
    /// <summary>Every call of a fresh EXTERNAL rotation, in order (checked against a clean run below).</summary>
    public static readonly TheoryData<string, int> EveryCall = new()
    {
        { "DescribeKey", 1 },
        { "ListResourceTags", 1 },
        { "DescribeKey", 2 },
        { "CreateAlias", 1 },
        { "GetKeyPolicy", 1 },
        { "CreateKey", 1 },
        { "TagResource", 1 },
        { "DescribeKey", 3 },
        { "ListResourceTags", 2 },
        { "GetParametersForImport", 1 },
        { "S3:PutObject", 1 },
        { "S3:GetObject", 1 },
        { "TagResource", 2 },
        { "ImportKeyMaterial", 1 },
        { "GetKeyRotationStatus", 1 },
        { "DescribeKey", 4 },
        { "DescribeKey", 5 },
        { "UpdateAlias", 1 },
        { "DescribeKey", 6 },
        { "DescribeKey", 7 },
        { "TagResource", 3 },
    };

    static ByokCrashTests() => SuiteCoverage.CrashPoints("BYOK", EveryCall.Count);

    [Fact]
    public async Task EveryCall_ComparedWithACleanRun_ListsEachCallInOrder()
    {
        using var byok = new ByokHarness();
        await byok.CreateAliasedKeyAsync();
        byok.Service.ClearRecordedRequests();

        await byok.RotateAsync();

        var kms = byok.Service.RecordedRequests.Select(r => r.Operation).ToList();
        var expected = EveryCall.Select(row => (string)row[0]).ToList();
        Assert.Equal(expected.Where(op => !op.StartsWith("S3:", StringComparison.Ordinal)), kms);
        Assert.Equal(["PutObject", "GetObject"], byok.S3.Calls.Select(c => c.Operation));
    }

    [Theory]
    [MemberData(nameof(EveryCall))]
    public async Task RunAsync_CrashAtCallThenRunAgain_ConvergesOnOneEnabledKeyWithFindableEscrow(string operation, int nth)
    {
        using var byok = new ByokHarness();
        var oldKeyId = await byok.CreateAliasedKeyAsync();
        if (operation.StartsWith("S3:", StringComparison.Ordinal))
        {
            byok.S3.ThrowAt[(operation[3..], nth)] = new SimulatedCrashException();
        }
        else
        {
            // Counted from the rotation's first call: setup already made CreateKey and CreateAlias calls.
            byok.Service.Faults.ThrowNth(operation, byok.Service.Faults.CallCount(operation) + nth, new SimulatedCrashException());
        }

        await Assert.ThrowsAsync<SimulatedCrashException>(byok.RotateAsync);
        var afterCrash = byok.AliasTarget();
        Assert.True(afterCrash.KeyId == oldKeyId || afterCrash.KeyState == "Enabled", $"The alias was left on {afterCrash.KeyId}, which is {afterCrash.KeyState}.");
        byok.Service.Faults.Clear();
        byok.S3.ThrowAt.Clear();
        byok.Time.Advance(Rotation.RotationWorld.ClaimExpiry);

        var result = await byok.RotateAsync();

        Assert.Equal(RotationOutcome.Rotated, result.Outcome);
        var keys = byok.Service.ListKeySnapshots();
        Assert.Equal(2, keys.Count);
        var target = byok.AliasTarget();
        Assert.NotEqual(oldKeyId, target.KeyId);
        Assert.Equal(("Enabled", "EXTERNAL"), (target.KeyState, target.Origin));
        Assert.Equal("active", target.Tags[RotationTags.State]);
        Assert.All(byok.S3.Requests<Amazon.S3.Model.PutObjectRequest>(), p => Assert.Equal("*", p.IfNoneMatch));

        // The tagged escrow object holds exactly the imported material: KMS accepts only that material again.
        var restored = await byok.ReimportAsync(target.KeyId);
        Assert.Equal($"s3://{ByokHarness.Bucket}/{byok.EscrowObjectKey(target.KeyId)}", restored.EscrowObjectUri);
        Assert.Equal("Enabled", restored.KeyState);
    }
}
