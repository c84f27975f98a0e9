namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>
/// The material strategy's crash point that the strategy matrix (<see cref="StrategyCrashMatrixTests"/>) does not
/// single out: a run that lost the answer of RotateKeyOnDemand is followed by no second rotation.
/// </summary>
public sealed class MaterialCrashMatrixTests
{
    private const string Alias = "alias/orders";

    [Fact]
    public async Task Rotate_KilledAfterRotateKeyOnDemand_NextRunDoesNotRotateAgain()
    {
        using var world = new RotationWorld();
        var key = await world.CreateAliasedKeyAsync(Alias);
        world.UseStrategy("material");
        world.Kms.Faults.ThrowAfterNth("RotateKeyOnDemand", world.Kms.Faults.CallCount("RotateKeyOnDemand") + 1, new SimulatedCrashException("lost the answer"));
        await Assert.ThrowsAsync<SimulatedCrashException>(() => world.InvokeAsync("{}", Alias));
        world.Time.Advance(RotationWorld.ClaimExpiry);
        world.Kms.ClearRecordedRequests();

        var response = await world.InvokeAsync("{}", Alias);

        Assert.StartsWith("Finished an interrupted rotation", response.GetProperty("results")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(world.Kms.RecordedRequests, r => r.Operation == "RotateKeyOnDemand");
        Assert.Single(await world.OnDemandRotationsAsync(key.KeyId));
    }
}
