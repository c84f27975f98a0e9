using KeyRotation.Core;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>
/// The new-key strategy's crash points that the strategy matrix (<see cref="StrategyCrashMatrixTests"/>) does not reach:
/// a crash after the claim retried at once or after it expired, and a crash between the alias's move and the notification.
/// </summary>
public sealed class CrashMatrixTests
{
    private const string Alias = "alias/orders";

    [Fact]
    public async Task Rotate_KilledAfterClaim_SecondRunSaysItFinishedTheInterruptedRotation()
    {
        using var world = new RotationWorld();
        await world.CreateAliasedKeyAsync(Alias);
        KillAt(world, "CreateKey", 1, "killed at CreateKey");
        await Assert.ThrowsAsync<SimulatedCrashException>(() => world.InvokeAsync("{}", Alias));
        world.Time.Advance(RotationWorld.ClaimExpiry);

        var response = await world.InvokeAsync("{}", Alias);

        Assert.StartsWith("Finished an interrupted rotation", response.GetProperty("results")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_KilledAfterClaimAndRetriedAtOnce_SkipsUntilTheClaimTimesOut()
    {
        using var world = new RotationWorld();
        var old = await world.CreateAliasedKeyAsync(Alias);
        KillAt(world, "CreateKey", 1, "killed at CreateKey");
        await Assert.ThrowsAsync<SimulatedCrashException>(() => world.InvokeAsync("{}", Alias));

        var response = await world.InvokeAsync("{}", Alias);

        var result = response.GetProperty("results")[0];
        Assert.Equal("Skipped", result.GetProperty("outcome").GetString());
        Assert.Contains("If that run died, a run after", result.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(old.KeyId, world.Key(Alias).KeyId);
        Assert.Empty(world.CreatedFor(Alias));
    }

    [Fact]
    public async Task Rotate_KilledAfterAliasMovedBeforeNotification_NextRunNotifiesWithoutRotatingAgain()
    {
        using var world = new RotationWorld();
        var old = await world.CreateAliasedKeyAsync(Alias);
        world.Sns.CrashNext = new SimulatedCrashException("killed while publishing");
        await Assert.ThrowsAsync<SimulatedCrashException>(() => world.InvokeAsync("{}", Alias));
        var moved = world.Key(Alias).KeyId;
        Assert.False(world.Key(old.KeyId).Tags.ContainsKey(RotationTags.State), "the old key is retired only after the notification");
        world.Time.Advance(RotationWorld.ClaimExpiry);

        var response = await world.InvokeAsync("{}", Alias);

        var result = response.GetProperty("results")[0];
        Assert.Equal(("Rotated", moved), (result.GetProperty("outcome").GetString(), result.GetProperty("newKeyId").GetString()));
        Assert.StartsWith("Finished an interrupted rotation", result.GetProperty("reason").GetString(), StringComparison.Ordinal);
        AssertConverged(world, old.KeyId, moved);
        Assert.Single(world.Sns.Snapshot());
    }

    /// <summary>Crashes the rotation's <paramref name="occurrence"/>-th call of the operation (set-up calls not counted).</summary>
    private static void KillAt(RotationWorld world, string operation, int occurrence, string message) =>
        world.Kms.Faults.ThrowNth(operation, world.Kms.Faults.CallCount(operation) + occurrence, new SimulatedCrashException(message));

    /// <summary>Exactly one new key behind the alias, set up and sealed; the old key retired naming it, still enabled.</summary>
    internal static void AssertConverged(RotationWorld world, string oldKeyId, string newKeyId)
    {
        var created = Assert.Single(world.CreatedFor(Alias));
        Assert.Equal(newKeyId, created.KeyId);
        var current = world.Key(Alias);
        Assert.Equal((newKeyId, "Enabled", "SYMMETRIC_DEFAULT"), (current.KeyId, current.KeyState, current.KeySpec));
        Assert.Equal(("active", oldKeyId), (current.Tags[RotationTags.State], current.Tags[RotationTags.PreviousKey]));
        Assert.Equal(("1", "2"), (current.Tags[RotationTags.Sequence], current.Tags[RotationTags.Generation]));
        Assert.Equal(("payments", "cc-42", RotationTags.SealedValue), (current.Tags["team"], current.Tags["cost-centre"], current.Tags[RotationTags.Sealed]));
        var old = world.Key(oldKeyId);
        Assert.Contains("alias/keyrotation/orders/1", old.Aliases);
        Assert.Equal(("Enabled", "retired", newKeyId), (old.KeyState, old.Tags[RotationTags.State], old.Tags[RotationTags.SuccessorKey]));
        Assert.Equal(RotationTags.SealedValue, old.Tags[RotationTags.Sealed]);
    }
}

internal sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException(string message)
        : base(message)
    {
    }

    public SimulatedCrashException()
    {
    }

    public SimulatedCrashException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
