using KeyRotation.Cli;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>The sandbox's EXTERNAL alias: imported material escrowed with a key pair the sandbox generates.</summary>
public sealed class SandboxImportedTests : IDisposable
{
    private const string Imported = "alias/demo/imported";
    private readonly CliHarness _cli = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("keyrotation-sandbox-byok-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string StateFile => Path.Combine(_directory, "state.json");

    private Task<CliRun> SandboxAsync(params string[] args) =>
        _cli.RunAsync(new CliHost { Time = _cli.Time }, [.. args, "--sandbox", "--sandbox-state", StateFile]);

    [Fact]
    public async Task Sandbox_ImportedAlias_RotateStatusAndReimportWork()
    {
        var seeded = await SandboxAsync("status", Imported, "--output", "json");
        var rotated = (await SandboxAsync("rotate", Imported, "--yes", "--output", "json")).Json().GetProperty("results")[0];
        var status = (await SandboxAsync("status", Imported, "--output", "json")).Json().GetProperty("aliases")[0];
        var oldKey = rotated.GetProperty("previousKeyId").GetString()!;
        var reimport = await SandboxAsync("reimport", oldKey, "--yes", "--output", "json");

        var privateKey = Path.Combine(_directory, "state-escrow", "escrow-private-key.pem");
        Assert.Contains($"Sandbox escrow key pair for {Imported}: {privateKey}", seeded.Stderr, StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", await File.ReadAllTextAsync(privateKey), StringComparison.Ordinal);
        Assert.Equal("Rotated", rotated.GetProperty("outcome").GetString());
        Assert.Equal(2, status.GetProperty("current").GetProperty("generation").GetInt64());
        Assert.Equal(0, reimport.ExitCode);
        Assert.Equal(oldKey, reimport.Json().GetProperty("keyId").GetString());
        Assert.Equal("Enabled", reimport.Json().GetProperty("keyState").GetString());
        Assert.StartsWith("s3://sandbox-escrow/keyrotation/demo/imported/", reimport.Json().GetProperty("escrowObject").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_SandboxImportedAlias_PlansAnImport()
    {
        var run = await SandboxAsync("plan", Imported, "--output", "json");

        var result = run.Json().GetProperty("results")[0];
        Assert.Equal("Planned", result.GetProperty("outcome").GetString());
        Assert.Contains("escrow it (RSAES-OAEP SHA-256, escrow key sha256 ", result.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reimport_SandboxNotKept_ExitsTwoSayingWhy()
    {
        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time }, "reimport", "1234abcd-12ab-34cd-56ef-1234567890ab", "--sandbox", "--yes");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("keyrotation reimport: This sandbox is not kept in a state file, so its escrow private key is gone: pass --sandbox-state FILE to keep one.", run.Stderr.Split('\n')[0]);
    }

    [Fact]
    public async Task Reimport_OutsideSandboxWithoutPrivateKey_ExitsTwo()
    {
        var run = await _cli.RunAsync("reimport", "1234abcd-12ab-34cd-56ef-1234567890ab", "--yes");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("keyrotation reimport: --escrow-private-key FILE is required: the PEM file of the escrow RSA private key.", run.Stderr.Split('\n')[0]);
    }
}
