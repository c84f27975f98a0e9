using System.Text;
using Amazon.KeyManagementService.Model;
using KeyRotation.Cli;
using KeyRotation.IntegrationTests.Cli;

namespace KeyRotation.IntegrationTests.KeyMaterial;

/// <summary><c>keyrotation reimport</c> end to end: the CLI against the local KMS and the S3 double.</summary>
public sealed class ReimportCommandTests : IDisposable
{
    private readonly ByokHarness _byok = new();
    private readonly string _privateKeyFile = Path.GetTempFileName();
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal)
    {
        ["ESCROW_BUCKET"] = ByokHarness.Bucket,
        ["ESCROW_PREFIX"] = ByokHarness.Prefix,
    };

    public ReimportCommandTests()
    {
        File.WriteAllText(_privateKeyFile, EscrowKeys.Escrow.ExportPkcs8PrivateKeyPem());
    }

    [Fact]
    public async Task Reimport_DeletedMaterial_RestoresTheKeyAndOldCiphertextDecrypts()
    {
        await _byok.CreateAliasedKeyAsync();
        var keyId = (await _byok.RotateAsync()).NewKeyId!;
        var ciphertext = await _byok.EncryptAsync(ByokHarness.Alias, Encoding.UTF8.GetBytes("invoice 7"));
        await _byok.Kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = keyId });

        var run = await RunAsync("reimport", keyId, "--escrow-private-key", _privateKeyFile, "--yes", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Enabled", run.Json().GetProperty("keyState").GetString());
        Assert.Equal($"s3://{ByokHarness.Bucket}/{ByokHarness.Prefix}orders/{keyId}.json", run.Json().GetProperty("escrowObject").GetString());
        Assert.Equal("invoice 7", Encoding.UTF8.GetString(await _byok.DecryptAsync(ciphertext)));
    }

    [Fact]
    public async Task Reimport_WrongPrivateKey_ExitsOneAndImportsNothing()
    {
        await _byok.CreateAliasedKeyAsync();
        var keyId = (await _byok.RotateAsync()).NewKeyId!;
        await _byok.Kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = keyId });
        await File.WriteAllTextAsync(_privateKeyFile, EscrowKeys.Rsa2048.ExportPkcs8PrivateKeyPem());

        var run = await RunAsync("reimport", keyId, "--escrow-private-key", _privateKeyFile, "--yes");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Wrong escrow private key", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("PendingImport", _byok.Service.GetKeySnapshot(keyId)!.KeyState);
    }

    [Fact]
    public async Task Reimport_NoEscrowBucket_ExitsTwo()
    {
        _environment.Remove("ESCROW_BUCKET");

        var run = await RunAsync("reimport", "1234abcd-12ab-34cd-56ef-1234567890ab", "--escrow-private-key", _privateKeyFile, "--yes");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("No escrow bucket", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reimport_PrivateKeyFileMissing_ExitsTwoNamingTheFile()
    {
        var run = await RunAsync("reimport", "1234abcd-12ab-34cd-56ef-1234567890ab", "--escrow-private-key", "/nonexistent/escrow.pem", "--yes");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("/nonexistent/escrow.pem", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reimport_AliasInsteadOfKeyId_ExitsOneSayingWhy()
    {
        var run = await RunAsync("reimport", ByokHarness.Alias, "--escrow-private-key", _privateKeyFile, "--yes");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("is not a key id", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_ExternalOrigin_EscrowsImportsAndMovesTheAlias()
    {
        var old = await _byok.CreateAliasedKeyAsync();
        _environment["KEY_MATERIAL_ORIGIN"] = "EXTERNAL";
        _environment["ESCROW_PUBLIC_KEY"] = EscrowKeys.EscrowPublicBase64Der;

        var run = await RunAsync("rotate", ByokHarness.Alias, "--force", "--change-origin", "--yes", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var newKeyId = run.Json().GetProperty("results")[0].GetProperty("newKeyId").GetString()!;
        Assert.NotEqual(old, newKeyId);
        var key = _byok.Service.GetKeySnapshot(ByokHarness.Alias)!;
        Assert.Equal((newKeyId, "EXTERNAL", "Enabled"), (key.KeyId, key.Origin, key.KeyState));
        Assert.Contains($"{ByokHarness.Prefix}orders/{newKeyId}.json", _byok.S3.Objects.Keys.Select(k => k[(ByokHarness.Bucket.Length + 1)..]));
    }

    [Fact]
    public async Task Reimport_Help_DescribesTheCommand()
    {
        var run = await RunAsync("reimport", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--escrow-private-key", run.Stdout, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        File.Delete(_privateKeyFile);
        _byok.Dispose();
    }

    private async Task<CliRun> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var host = new CliHost { Time = _byok.Time, KmsClient = () => _byok.Kms, S3Client = () => _byok.S3.Object };
        var exit = await CliApp.RunAsync(args, stdout, stderr, _environment, host, CancellationToken.None);
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }
}
