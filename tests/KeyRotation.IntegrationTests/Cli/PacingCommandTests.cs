using KeyRotation.Cli;
using KeyRotation.LocalKms;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>The CLI's KMS client goes through the same pacer as the function's; its quotas come from the flag or the environment.</summary>
public sealed class PacingCommandTests
{
    private const string Alias = "alias/orders";
    private readonly CliHarness _cli = new();

    [Fact]
    public async Task Rotate_BadKmsRequestQuotasFlag_ExitsTwoNamingItAndChangesNothing()
    {
        await _cli.CreateAliasAsync(Alias);
        var before = _cli.StateFingerprint();
        await using var server = LocalKmsServer.Start(_cli.Service);
        _cli.Environment["AWS_ACCESS_KEY_ID"] = "test";
        _cli.Environment["AWS_SECRET_ACCESS_KEY"] = "test";

        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time }, "rotate", Alias, "--yes", "--endpoint-url", server.Url.ToString(), "--region", "us-east-1", "--kms-request-quotas", "UpdateAlias=lots");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--kms-request-quotas: UpdateAlias's rate 'lots' is not a number", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _cli.StateFingerprint());
    }

    [Fact]
    public async Task Rotate_RaisedQuotasThroughTheEnvironment_RotatesThroughThePacedClient()
    {
        var old = await _cli.CreateAliasAsync(Alias);
        await using var server = LocalKmsServer.Start(_cli.Service);
        _cli.Environment["AWS_ACCESS_KEY_ID"] = "test";
        _cli.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        _cli.Environment["KMS_REQUEST_QUOTAS"] = "CreateKey=20,CreateAlias=20,UpdateAlias=20";

        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time }, "rotate", Alias, "--yes", "--endpoint-url", server.Url.ToString(), "--region", "us-east-1", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.NotEqual(old, await _cli.KeyOfAsync(Alias));
    }
}
