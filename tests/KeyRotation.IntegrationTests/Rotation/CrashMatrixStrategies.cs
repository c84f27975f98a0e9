using System.Text.Json;
using KeyRotation.Core;
using KeyRotation.Core.Configuration;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>
/// One strategy as the parameterised crash matrix drives it: how an alias is set up for it, which KMS operations one
/// uninterrupted rotation makes, and what "converged" means after a crash and the next run. Adding a strategy to the
/// matrix is one subclass and its line in <see cref="All"/>.
/// </summary>
internal abstract class CrashMatrixStrategy
{
    public const string Alias = "alias/orders";

    /// <summary>Every strategy the crash matrix covers, by the name ROTATION_STRATEGY gives it.</summary>
    public static IReadOnlyDictionary<string, CrashMatrixStrategy> All { get; } = new Dictionary<string, CrashMatrixStrategy>(StringComparer.Ordinal)
    {
        [RotationStrategyNames.NewKey] = new NewKeyCrashMatrix(),
        [RotationStrategyNames.Material] = new MaterialCrashMatrix(RotationStrategyNames.Material),
        [RotationStrategyNames.Auto] = new MaterialCrashMatrix(RotationStrategyNames.Auto),

        // With a pre-move hook that accepts (docs/hooks.md): the test's tag joins the calls, so the matrix also kills a
        // run after the test and before the move.
        [RotationStrategyNames.NewKey + "+test"] = new NewKeyCrashMatrix { PreMoveTest = true },
        [RotationStrategyNames.Material + "+test"] = new MaterialCrashMatrix(RotationStrategyNames.Material) { PreMoveTest = true },
    };

    /// <summary>The pre-move hook the strategies with <see cref="PreMoveTest"/> configure.</summary>
    public const string PreMoveHookArn = "arn:aws:lambda:us-east-1:111122223333:function:crash-matrix-test";

    /// <summary>True: the alias has a pre-move hook (in process, accepting), so each rotation is tested before it moves.</summary>
    public bool PreMoveTest { get; init; }

    /// <summary>The ROTATION_STRATEGY the alias's runs are configured with; null for the default (new-key).</summary>
    protected virtual string? Configured => null;

    /// <summary>The distinct operations of one rotation, in the order they first appear.</summary>
    public abstract IReadOnlyList<string> Operations { get; }

    /// <summary>Creates the alias's key and sets the strategy; returns the key the alias points at.</summary>
    public async Task<string> SetUpAsync(RotationWorld world)
    {
        ArgumentNullException.ThrowIfNull(world);
        var key = await world.CreateAliasedKeyAsync(Alias);
        if (Configured is { } strategy)
        {
            world.UseStrategy(strategy);
        }

        if (PreMoveTest)
        {
            world.Environment[SettingNames.PreMoveHookArn] = PreMoveHookArn;
        }

        return key.KeyId;
    }

    /// <summary>
    /// Checks the world after the crashed run and the next: exactly one rotation happened, and the second run's result
    /// says so. <paramref name="lastIndex"/> is the last call of an uninterrupted rotation; dying after it took effect
    /// leaves nothing to do.
    /// </summary>
    public abstract Task AssertConvergedAsync(RotationWorld world, string oldKeyId, JsonElement result, int index, int lastIndex, bool callTookEffect);
}

/// <summary>new-key: exactly one new key behind the alias, the old one retired naming it.</summary>
internal sealed class NewKeyCrashMatrix : CrashMatrixStrategy
{
    // TagResource first appears right after CreateKey: the new key gets its copied tags, its seal and its final state
    // in one request, before any alias points at it. The marker never moves: UpdateAlias is the alias's move alone.
    // GetKeyRotationStatus asks whether the old key's automatic rotation is to be carried over.
    public override IReadOnlyList<string> Operations { get; } = ["DescribeKey", "ListResourceTags", "CreateAlias", "GetKeyPolicy", "CreateKey", "TagResource", "GetKeyRotationStatus", "UpdateAlias", "ListGrants"];

    public override Task AssertConvergedAsync(RotationWorld world, string oldKeyId, JsonElement result, int index, int lastIndex, bool callTookEffect)
    {
        ArgumentNullException.ThrowIfNull(world);
        if (callTookEffect && index == lastIndex)
        {
            // Everything was done; only the answer of the last tag was lost. Nothing is left to do.
            Assert.Equal("Skipped", result.GetProperty("outcome").GetString());
            CrashMatrixTests.AssertConverged(world, oldKeyId, world.Key(Alias).KeyId);
            Assert.Single(world.Sns.Snapshot());
            return Task.CompletedTask;
        }

        Assert.Equal("Rotated", result.GetProperty("outcome").GetString());
        CrashMatrixTests.AssertConverged(world, oldKeyId, result.GetProperty("newKeyId").GetString()!);
        return Task.CompletedTask;
    }
}

/// <summary>
/// material, and auto on a fresh key (all 25 on-demand rotations left, far above the reserve, so auto picks material):
/// the alias never moves; its key got exactly one new material, tagged with the move.
/// </summary>
internal sealed class MaterialCrashMatrix(string strategy) : CrashMatrixStrategy
{
    protected override string? Configured => strategy;

    public override IReadOnlyList<string> Operations { get; } = ["DescribeKey", "ListResourceTags", "ListKeyRotations", "CreateAlias", "TagResource", "GetKeyRotationStatus", "RotateKeyOnDemand"];

    public override async Task AssertConvergedAsync(RotationWorld world, string oldKeyId, JsonElement result, int index, int lastIndex, bool callTookEffect)
    {
        ArgumentNullException.ThrowIfNull(world);
        var key = world.Key(oldKeyId);
        Assert.Single(await world.OnDemandRotationsAsync(oldKeyId));
        Assert.Equal(oldKeyId, world.Key(Alias).KeyId);
        Assert.Empty(world.CreatedFor(Alias));
        Assert.Equal(("1", "active", "1"), (key.Tags[RotationTags.Sequence], key.Tags[RotationTags.State], key.Tags[RotationTags.MaterialMove]));
        Assert.Equal(await world.CurrentMaterialAsync(oldKeyId), key.Tags[RotationTags.KeyMaterialId]);
        if (callTookEffect && index == lastIndex)
        {
            // Everything was done; only the answer of the last tag was lost. The next run finds the key freshly rotated.
            Assert.Equal("Skipped", result.GetProperty("outcome").GetString());
            Assert.Single(world.Sns.Snapshot());
            return;
        }

        Assert.Equal(("Rotated", "material"), (result.GetProperty("outcome").GetString(), result.GetProperty("method").GetString()));
    }
}
