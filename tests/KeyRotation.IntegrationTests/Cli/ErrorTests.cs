using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using KeyRotation.Cli;
using KeyRotation.LocalKms;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>What a newcomer trips over first: bad options, missing credentials and Region, endpoints that do not answer.</summary>
public sealed class ErrorTests
{
    private const string Alias = "alias/orders";
    private const string NoCredentials =
        "No AWS credentials: pass --profile (or set AWS_PROFILE) for a profile in ~/.aws/config, run 'aws configure' or 'aws sso login', or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.";

    private readonly CliHarness _cli = new();

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The SDK's default chain on a machine with no credentials at all: it gives up with this exception.</summary>
    private static AWSCredentials NoChain() =>
        throw new AmazonClientException("Failed to resolve AWS credentials. The credential providers used to search for credentials returned the following errors: Exception 1 of 4: ...");

    /// <summary>A chain that yields a provider whose credentials cannot be fetched (for example the instance metadata service is absent).</summary>
    private sealed class UnobtainableCredentials : AWSCredentials
    {
        private static AmazonClientException Failure => new("Unable to get IAM security credentials from EC2 Instance Metadata Service.");

        public override ImmutableCredentials GetCredentials() => throw Failure;

        public override Task<ImmutableCredentials> GetCredentialsAsync() => Task.FromException<ImmutableCredentials>(Failure);
    }

    [Theory]
    [InlineData("rotate", "--forse", " (did you mean --force?)", "[ALIAS...]")]
    [InlineData("plan", "--max-concurency", " (did you mean --max-concurrency?)", "[ALIAS...]")]
    [InlineData("rollback", "--forse", "", "ALIAS")]
    public async Task Run_MisspelledOption_ReportsItWithTheClosestOptionAndExitsTwo(string command, string typo, string suggestion, string usage)
    {
        await _cli.CreateAliasAsync(Alias);
        var before = _cli.StateFingerprint();

        string[] confirm = command == "plan" ? [] : ["--yes"];
        var run = await _cli.RunAsync([command, Alias, typo, .. confirm]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Equal([$"keyrotation {command}: unrecognized option '{typo}'{suggestion}", $"Usage: keyrotation {command} {usage} [options]"], Lines(run.Stderr));
        Assert.Equal(before, _cli.StateFingerprint());
    }

    [Fact]
    public async Task Run_OutputFormatUnknown_ListsTheFormatsOnce()
    {
        var run = await _cli.RunAsync("status", Alias, "--output", "yaml");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(["keyrotation status: --output: 'yaml' is not one of json, table, text", "Usage: keyrotation status [ALIAS...] [options]"], Lines(run.Stderr.Replace("\r", string.Empty, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Run_MisspelledCommand_SuggestsTheCommand()
    {
        var run = await _cli.RunAsync("rotat");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(["keyrotation: unknown command 'rotat' (did you mean rotate?)", "Usage: keyrotation <command> [options]"], Lines(run.Stderr));
    }

    [Fact]
    public async Task Run_UnknownOptionInSandbox_IsNotTakenForAnAlias()
    {
        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time }, "rotate", "--sandbox", "--dry-run");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("keyrotation rotate: unrecognized option '--dry-run'", Lines(run.Stderr)[0]);
    }

    [Theory]
    [InlineData("plan")]
    [InlineData("rotate")]
    [InlineData("status")]
    [InlineData("rollback")]
    public async Task Run_NoCredentialsAnywhere_OneLineExitTwoBeforeAnyKmsCall(string command)
    {
        await _cli.CreateAliasAsync(Alias);
        await using var server = LocalKmsServer.Start(_cli.Service);
        _cli.Service.ClearRecordedRequests();

        string[] confirm = command is "rotate" or "rollback" ? ["--yes"] : [];

        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time, DefaultCredentials = NoChain }, [command, Alias, .. confirm, "--region", "us-east-1", "--endpoint-url", server.Url.ToString()]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal([$"keyrotation {command}: {NoCredentials}"], Lines(run.Stderr));
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Empty(_cli.Service.RecordedRequests);
    }

    [Fact]
    public async Task Rotate_CredentialsCannotBeFetched_OneLineAndNoFunctionAdvice()
    {
        await _cli.CreateAliasAsync(Alias);
        await using var server = LocalKmsServer.Start(_cli.Service);
        _cli.Service.ClearRecordedRequests();

        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time, DefaultCredentials = () => new UnobtainableCredentials() }, "rotate", Alias, "--yes", "--region", "us-east-1", "--endpoint-url", server.Url.ToString());

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(["keyrotation rotate: " + NoCredentials], Lines(run.Stderr));
        Assert.DoesNotContain("function's role", run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.Empty(_cli.Service.RecordedRequests);
    }

    [Fact]
    public async Task Status_CredentialsRejectedByAws_OneLineExitTwo()
    {
        await using var server = LocalKmsServer.Start(_cli.Service);
        _cli.Service.Faults.FailNth("ListAliases", 1, "UnrecognizedClientException", "The security token included in the request is invalid.");
        _cli.Environment["AWS_ACCESS_KEY_ID"] = "AKIDEXPIRED";
        _cli.Environment["AWS_SECRET_ACCESS_KEY"] = "secret";

        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time }, "status", Alias, "--region", "us-east-1", "--endpoint-url", server.Url.ToString());

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(["keyrotation status: AWS did not accept the credentials (UnrecognizedClientException): refresh them ('aws sso login', 'aws configure') or choose another --profile."], Lines(run.Stderr));
    }

    [Fact]
    public async Task Status_RegionUnknownToTheSdk_RefusedAtOnceWithExitTwo()
    {
        _cli.Environment["AWS_ACCESS_KEY_ID"] = "test";
        _cli.Environment["AWS_SECRET_ACCESS_KEY"] = "test";

        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time }, "status", Alias, "--region", "not-a-region");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(["keyrotation status: Unknown AWS Region 'not-a-region': pass a Region code such as us-east-1 or eu-west-1, or --endpoint-url for an endpoint this SDK does not know."], Lines(run.Stderr));
    }

    [Fact]
    public async Task Status_UnknownRegionAndNoCredentials_ReportsTheRegionFirst()
    {
        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time, DefaultCredentials = NoChain }, "status", Alias, "--region", "eu-west-99");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("keyrotation status: Unknown AWS Region 'eu-west-99':", Assert.Single(Lines(run.Stderr)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_UnknownRegionWithCustomEndpoint_IsAllowed()
    {
        // LocalKms serves each Region apart (the one the request is signed for): the alias lives in the unknown Region.
        using var regional = _cli.Service.CreateClient("eu-west-99");
        var key = await regional.CreateKeyAsync(new CreateKeyRequest());
        await regional.CreateAliasAsync(new CreateAliasRequest { AliasName = Alias, TargetKeyId = key.KeyMetadata.KeyId });
        await using var server = LocalKmsServer.Start(_cli.Service);
        _cli.Environment["AWS_ACCESS_KEY_ID"] = "test";
        _cli.Environment["AWS_SECRET_ACCESS_KEY"] = "test";

        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time }, "status", Alias, "--region", "eu-west-99", "--endpoint-url", server.Url.ToString());

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(key.KeyMetadata.KeyId, run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_NoRegionAnywhere_OneLineExitTwo()
    {
        _cli.Environment["AWS_ACCESS_KEY_ID"] = "test";
        _cli.Environment["AWS_SECRET_ACCESS_KEY"] = "test";

        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time }, "status", Alias);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(["keyrotation status: No AWS Region: pass --region, set AWS_REGION, or set region in your AWS profile ('aws configure')."], Lines(run.Stderr));
    }

    [Fact]
    public async Task Status_EndpointRefusesConnections_OneLineExitTwo()
    {
        _cli.Environment["AWS_ACCESS_KEY_ID"] = "test";
        _cli.Environment["AWS_SECRET_ACCESS_KEY"] = "test";

        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time }, "status", Alias, "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:1");

        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(Lines(run.Stderr));
        Assert.StartsWith("keyrotation status: Cannot connect to KMS at http://127.0.0.1:1/: Connection refused", line, StringComparison.Ordinal);
        Assert.EndsWith("Check --endpoint-url (or AWS_ENDPOINT_URL_KMS), the Region and your network.", line, StringComparison.Ordinal);
    }

    [Fact]
    public void AwsClients_ConnectTimeout_IsShort()
    {
        Assert.InRange(AwsSettings.ConnectTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
    }
}
