using Amazon.KeyManagementService.Model;
using KeyRotation.Cli;
using KeyRotation.Core;

namespace KeyRotation.IntegrationTests.Cli.Reencrypt;

/// <summary>
/// <c>keyrotation reencrypt</c> end to end: real Encrypt under an old generation, a real rotation, then ReEncrypt
/// through the SDK against LocalKms; the new ciphertext decrypts to the same plaintext under the current key.
/// </summary>
public sealed class ReencryptLocalKmsTests : IDisposable
{
    private const string Alias = "alias/orders";
    private readonly CliHarness _cli = new();
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), $"reencrypt-localkms-{Guid.NewGuid():N}");

    public ReencryptLocalKmsTests() => Directory.CreateDirectory(_scratch);

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private async Task<byte[]> EncryptAsync(string keyId, string plaintext, Dictionary<string, string>? context = null) =>
        (await _cli.Kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(plaintext)), EncryptionContext = context })).CiphertextBlob.ToArray();

    private async Task<(string KeyArn, string Plaintext)> DecryptAsync(byte[] ciphertext, Dictionary<string, string>? context = null)
    {
        var answer = await _cli.Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext), EncryptionContext = context });
        return (answer.KeyId, System.Text.Encoding.UTF8.GetString(answer.Plaintext.ToArray()));
    }

    private async Task<string> ArnOfAsync(string keyId) => (await _cli.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.Arn;

    private string Write(string name, byte[] content)
    {
        var path = Path.Combine(_scratch, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    private Task<CliRun> RunWithStdinAsync(string stdin, params string[] args) =>
        _cli.RunAsync(new CliHost { Time = _cli.Time, KmsClient = () => _cli.Kms, Stdin = new StringReader(stdin) }, args);

    [Fact]
    public async Task Reencrypt_FilesUnderTheOldGeneration_AfterARotation_DecryptToTheSamePlaintextUnderTheNewKey()
    {
        var old = await _cli.CreateAliasAsync(Alias);
        var files = new[] { Write("in/a.bin", await EncryptAsync(Alias, "data key a")), Write("in/b.bin", await EncryptAsync(old, "data key b")) };
        var current = await _cli.RotateAsync(Alias);

        var run = await _cli.RunAsync(["reencrypt", Alias, .. files, "--output-dir", Path.Combine(_scratch, "out")]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"Re-encryption to {Alias} ({current}): 2 re-encrypted, 0 skipped (already current), 0 failed.\n", run.Stderr);
        Assert.Equal((await ArnOfAsync(current), "data key a"), await DecryptAsync(File.ReadAllBytes(Path.Combine(_scratch, "out/a.bin"))));
        Assert.Equal((await ArnOfAsync(current), "data key b"), await DecryptAsync(File.ReadAllBytes(Path.Combine(_scratch, "out/b.bin"))));
        Assert.Equal((await ArnOfAsync(old), "data key a"), await DecryptAsync(File.ReadAllBytes(files[0])));
        Assert.Contains(old, run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reencrypt_StdinWithEncryptionContext_AfterTwoRotations_ReachesTheCurrentKeyAndKeepsTheContext()
    {
        var context = new Dictionary<string, string> { ["tenant"] = "acme" };
        await _cli.CreateAliasAsync(Alias);
        var fromFirst = await EncryptAsync(Alias, "data key 1", context);
        await _cli.RotateAsync(Alias);
        var fromSecond = await EncryptAsync(Alias, "data key 2", context);
        var third = await _cli.RotateAsync(Alias);
        var fromThird = await EncryptAsync(Alias, "data key 3", context);

        var run = await RunWithStdinAsync(
            string.Join('\n', new[] { fromFirst, fromSecond, fromThird }.Select(Convert.ToBase64String)) + "\n",
            "reencrypt", Alias, "--encryption-context", "tenant=acme");

        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Convert.FromBase64String).ToList();
        Assert.Equal(3, lines.Count);
        var arn = await ArnOfAsync(third);
        Assert.Equal((arn, "data key 1"), await DecryptAsync(lines[0], context));
        Assert.Equal((arn, "data key 2"), await DecryptAsync(lines[1], context));
        Assert.Equal(fromThird, lines[2]);
        Assert.Contains("2 re-encrypted, 1 skipped (already current), 0 failed.", run.Stderr, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidCiphertextException>(() => DecryptAsync(lines[0]));
    }

    [Fact]
    public async Task Reencrypt_CiphertextOfAnotherAlias_IsRefusedAndNothingIsWrittenForIt()
    {
        await _cli.CreateAliasAsync(Alias);
        await _cli.CreateAliasAsync("alias/billing");
        var billing = Write("billing.bin", await EncryptAsync("alias/billing", "billing key"));
        var orders = Write("orders.bin", await EncryptAsync(Alias, "orders key"));
        await _cli.RotateAsync(Alias);

        var run = await _cli.RunAsync("reencrypt", Alias, billing, orders, "--output-dir", Path.Combine(_scratch, "out"));

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(["orders.bin"], Directory.GetFiles(Path.Combine(_scratch, "out")).Select(Path.GetFileName));
        var billingArn = await ArnOfAsync(await _cli.KeyOfAsync("alias/billing"));
        Assert.StartsWith($"keyrotation reencrypt: {billing}: it is under key {billingArn} (a key of alias/billing), which is not a generation of {Alias}.\n", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reencrypt_GenerationARollbackSteppedBackFrom_IsStillTheAliasesAndMovesToTheRestoredKey()
    {
        var first = await _cli.CreateAliasAsync(Alias);
        await _cli.RotateAsync(Alias);
        var underSecond = await EncryptAsync(Alias, "written before the rollback");
        Assert.Equal(0, (await _cli.RunAsync("rollback", Alias, "--yes", "--output", "json")).ExitCode);

        var run = await RunWithStdinAsync(Convert.ToBase64String(underSecond) + "\n", "reencrypt", Alias);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal((await ArnOfAsync(first), "written before the rollback"), await DecryptAsync(Convert.FromBase64String(run.Stdout.Trim())));
    }

    [Fact]
    public async Task Reencrypt_OlderMaterialOfTheCurrentKey_IsMovedToTheNewestMaterial()
    {
        var key = await _cli.CreateAliasAsync(Alias);
        var before = await EncryptAsync(Alias, "before the material rotation");
        await _cli.Kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key });

        var run = await RunWithStdinAsync(Convert.ToBase64String(before) + "\n", "reencrypt", Alias, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var result = run.Json().GetProperty("results")[0];
        Assert.Equal("ReEncrypted", result.GetProperty("outcome").GetString());
        Assert.Contains("older key material of the current key", result.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal((await ArnOfAsync(key), "before the material rotation"), await DecryptAsync(Convert.FromBase64String(result.GetProperty("ciphertext").GetString()!)));
    }

    [Fact]
    public async Task Reencrypt_DryRun_AsksKmsWithDryRunAndWritesNothing()
    {
        await _cli.CreateAliasAsync(Alias);
        var input = Write("a.bin", await EncryptAsync(Alias, "data key"));
        await _cli.RotateAsync(Alias);
        _cli.Service.ClearRecordedRequests();

        var run = await _cli.RunAsync("reencrypt", Alias, input, "--output-dir", Path.Combine(_scratch, "out"), "--dry-run", "--output", "text");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith($"{input}\tPlanned\t", run.Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_scratch, "out")));
        Assert.Single(_cli.Service.RecordedRequests, r => r.Operation == "ReEncrypt");
    }

    [Fact]
    public async Task Reencrypt_SourceKeyDisabled_FailsNamingTheFileWithKmsError()
    {
        var old = await _cli.CreateAliasAsync(Alias);
        var input = Write("a.bin", await EncryptAsync(Alias, "data key"));
        await _cli.RotateAsync(Alias);
        await _cli.Kms.DisableKeyAsync(new DisableKeyRequest { KeyId = old });

        var run = await _cli.RunAsync("reencrypt", Alias, input);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("\n", run.Stdout);
        Assert.StartsWith($"keyrotation reencrypt: {input}: DisabledException: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("enable it, or cancel its deletion, and run again.", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reencrypt_CallsOnlyWhatTheDocumentedOperatorPolicyAllows_AndRecordsTheUseOnBothKeys()
    {
        // The harness's clock runs before KMS began tracking key use.
        _cli.Service.TrackingStartDate = _cli.Time.GetUtcNow();
        var old = await _cli.CreateAliasAsync(Alias);
        var input = Write("a.bin", await EncryptAsync(Alias, "data key"));
        await _cli.RotateAsync(Alias);
        var current = await _cli.RotateAsync(Alias);
        _cli.Service.ClearRecordedRequests();

        Assert.Equal(0, (await _cli.RunAsync("reencrypt", Alias, input)).ExitCode);

        var actions = _cli.Service.RecordedRequests
            .SelectMany(r => r.Operation == "ReEncrypt" ? new[] { "kms:ReEncryptFrom", "kms:ReEncryptTo" } : ["kms:" + r.Operation])
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        Assert.Equal(KmsPermissions.OperatorReencryption.Order(StringComparer.Ordinal), actions);
        foreach (var key in new[] { old, current })
        {
            var usage = await _cli.Kms.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = key });
            Assert.Equal("ReEncrypt", usage.KeyLastUsage.Operation);
        }
    }
}
