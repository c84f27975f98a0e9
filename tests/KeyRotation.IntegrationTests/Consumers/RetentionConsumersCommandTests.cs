using KeyRotation.Core.Configuration;
using KeyRotation.IntegrationTests.Cli;

namespace KeyRotation.IntegrationTests.Consumers;

/// <summary>
/// <c>retention plan|run --check-consumers</c>: the retention function's RETIRE_CHECK_CONSUMERS with the operator's
/// credentials, against LocalKms and the consumer services' local endpoints through the real SDK clients.
/// </summary>
public sealed class RetentionConsumersCommandTests
{
    /// <summary>
    /// The harness's three generations plus one more rotation, then 60 days: generation 2 (index 1) is due to be
    /// disabled, generation 1 is the original key (never touched), 3 is retained and 4 is current.
    /// </summary>
    private static async Task<(ConsumerHarness Harness, string Second)> ReadyAsync()
    {
        var harness = await ConsumerHarness.StartAsync();
        await harness.Cli.RotateAsync(ConsumerHarness.Alias);
        harness.Cli.Time.Advance(TimeSpan.FromDays(60));
        harness.Cli.Environment[SettingNames.RotationAliases] = ConsumerHarness.Alias;
        return (harness, harness.Generations[1]);
    }

    private static System.Text.Json.JsonElement StepOf(CliRun run, string keyArn) =>
        run.Json().GetProperty("aliases")[0].GetProperty("steps").EnumerateArray().Single(s => keyArn.EndsWith(s.GetProperty("keyId").GetString()!, StringComparison.Ordinal));

    [Fact]
    public async Task Plan_CheckConsumers_ShowsAGenerationATableStillUsesAsKeptNamingTheTable()
    {
        var (harness, second) = await ReadyAsync();
        await using var _ = harness;
        harness.DynamoDb.AddTable("orders", second);

        var run = await harness.RunAsync("retention", "plan", "--mode", "disable", "--check-consumers", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var step = StepOf(run, second);
        Assert.Equal(("Keep", "Disable"), (step.GetProperty("action").GetString(), step.GetProperty("refusedAction").GetString()));
        Assert.StartsWith("referenced by 1 consumer(s): dynamodb table orders", step.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(harness.DynamoDb.ArnOf("orders"), step.GetProperty("proof").GetProperty("consumers").GetProperty("resources")[0].GetProperty("id").GetString());
        Assert.Single(harness.DynamoDb.Of("ListTables"));
    }

    [Fact]
    public async Task Plan_Table_ShowsTheRefusalInTheWhyColumn()
    {
        var (harness, second) = await ReadyAsync();
        await using var _ = harness;
        harness.Ssm.AddSecureString("/app/db-password", "s3cret", second);

        var run = await harness.RunAsync("retention", "plan", "--mode", "disable", "--check-consumers");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Disable refused", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("ssm parameter /app/db-password", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_WithoutCheckConsumers_PlansTheDisableAndSendsNoConsumerRequest()
    {
        var (harness, second) = await ReadyAsync();
        await using var _ = harness;
        harness.DynamoDb.AddTable("orders", second);

        var run = await harness.RunAsync("retention", "plan", "--mode", "disable", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Disable", StepOf(run, second).GetProperty("action").GetString());
        Assert.Equal(0, harness.ServiceRequests);
    }

    [Fact]
    public async Task Run_CheckConsumers_ATableItMayNotRead_FailsNamingItAndLeavesTheKeyEnabled()
    {
        var (harness, second) = await ReadyAsync();
        await using var _ = harness;
        harness.DynamoDb.AddTable("orders", harness.Current);
        harness.DynamoDb.Denied.Add("orders");
        var before = harness.Cli.StateFingerprint();

        var run = await harness.RunAsync("retention", "run", "--mode", "disable", "--check-consumers", "--yes");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("could not check 1 resource(s), which may reference it: dynamodb table orders (AccessDeniedException", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("Enabled", harness.Cli.Service.GetKeySnapshot(second)!.KeyState);
        Assert.Equal(before, harness.Cli.StateFingerprint());
    }

    [Fact]
    public async Task Run_CheckConsumers_ReferenceByTheAliasOnly_DisablesTheGeneration()
    {
        var (harness, second) = await ReadyAsync();
        await using var _ = harness;
        harness.Ssm.AddSecureString("/app/db-password", "s3cret", ConsumerHarness.Alias);

        var run = await harness.RunAsync("retention", "run", "--mode", "disable", "--check-consumers", "--yes");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Disabled", harness.Cli.Service.GetKeySnapshot(second)!.KeyState);
        Assert.Contains("no consumer references it by key id or ARN", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_CheckConsumers_MalformedEndpointVariable_ExitsTwoNamingItAndChangesNothing()
    {
        var (harness, _) = await ReadyAsync();
        await using var h = harness;
        harness.Cli.Environment["AWS_ENDPOINT_URL_DYNAMODB"] = "not a url";

        var run = await harness.RunAsync("retention", "plan", "--mode", "disable", "--check-consumers");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("keyrotation retention plan: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("AWS_ENDPOINT_URL_DYNAMODB", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.Equal(0, harness.ServiceRequests);
    }

    [Fact]
    public async Task Run_CheckConsumers_MalformedEndpointVariable_NamesItBeforeAskingToConfirmAndChangesNothing()
    {
        var (harness, second) = await ReadyAsync();
        await using var h = harness;
        harness.Cli.Environment["AWS_ENDPOINT_URL_DYNAMODB"] = "not a url";

        // No --yes: the endpoint variable, not the missing confirmation, is what the one line names.
        var run = await harness.RunAsync("retention", "run", "--mode", "disable", "--check-consumers");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("keyrotation retention run: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("AWS_ENDPOINT_URL_DYNAMODB", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("--yes", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.Equal("Enabled", harness.Cli.Service.GetKeySnapshot(second)!.KeyState);
        Assert.Equal(0, harness.ServiceRequests);
    }
}
