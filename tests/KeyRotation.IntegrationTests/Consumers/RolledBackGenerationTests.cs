namespace KeyRotation.IntegrationTests.Consumers;

/// <summary>A generation a rollback undid is off the chain but was current once: resources created then are found and moved.</summary>
public sealed class RolledBackGenerationTests
{
    [Fact]
    public async Task ConsumersAndMigrate_ATableOnARolledBackGeneration_IsListedAsSuchAndMovedToTheRestoredKey()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        var rollback = await harness.RunAsync("rollback", ConsumerHarness.Alias, "--yes");
        Assert.Equal(0, rollback.ExitCode);
        var restored = await harness.ArnOfAsync(ConsumerHarness.Alias);
        harness.DynamoDb.AddTable("orders", harness.Generations[2]);

        var consumers = await harness.RunAsync("consumers", ConsumerHarness.Alias, "--output", "json");
        var migrate = await harness.RunAsync("migrate", ConsumerHarness.Alias, "--yes", "--output", "json");

        Assert.Equal(0, consumers.ExitCode);
        Assert.Equal(harness.Generations[1], restored);
        var generation = consumers.Json().GetProperty("generations").EnumerateArray().Single(g => g.GetProperty("keyArn").GetString() == harness.Generations[2]);
        Assert.Equal("rolled back", generation.GetProperty("role").GetString());
        Assert.Equal(harness.DynamoDb.ArnOf("orders"), generation.GetProperty("resources")[0].GetProperty("id").GetString());
        Assert.Equal(0, migrate.ExitCode);
        Assert.Equal(restored, harness.DynamoDb.KeyOf("orders"));
    }
}
