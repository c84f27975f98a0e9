using Amazon.KeyManagementService;

namespace KeyRotation.IntegrationTests.Cli.Reencrypt;

/// <summary><c>keyrotation reencrypt</c>'s bad usage and bad input: one line on stderr naming it, exit 2, nothing re-encrypted.</summary>
public sealed class ReencryptCommandErrorTests : IDisposable
{
    private const string Alias = ReencryptMockHarness.Alias;
    private readonly ReencryptMockHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private string OneCiphertext => Convert.ToBase64String(_cli.UnderPrevious("key one")) + "\n";

    [Fact]
    public async Task Reencrypt_UnknownAlias_ExitsTwoWithDidYouMean()
    {
        var run = await _cli.RunWithStdinAsync(OneCiphertext, "reencrypt", "alias/ordres");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("keyrotation reencrypt: alias/ordres does not exist in this account and Region (did you mean alias/orders?)\n", run.Stderr);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Empty(_cli.ReEncrypts);
    }

    [Theory]
    [InlineData("--encryption-context", "tenant", "keyrotation reencrypt: --encryption-context: 'tenant' is not Key=Value (write Key=Value,Key2=Value2 or a JSON object such as {\"Key\":\"Value\"}).")]
    [InlineData("--encryption-context", "{\"tenant\":1}", "keyrotation reencrypt: --encryption-context: the value of 'tenant' is not a string; encryption context values are strings.")]
    [InlineData("--encryption-context", "a=1,a=2", "keyrotation reencrypt: --encryption-context: the key 'a' is given twice.")]
    [InlineData("--destination-encryption-context", "{\"tenant\":", "keyrotation reencrypt: --destination-encryption-context: not a JSON object of strings: ")]
    [InlineData("--input-format", "raw", "keyrotation reencrypt: --input-format raw reads files only: standard input takes one base64 ciphertext per line.")]
    [InlineData("--output-dir", "out", "keyrotation reencrypt: --output-dir names each new ciphertext after its input file: with standard input, the new ciphertexts go to stdout.")]
    [InlineData("--input-format", "hex", "keyrotation reencrypt: --input-format: 'hex' is not one of base64, raw")]
    public async Task Reencrypt_BadOption_ExitsTwoNamingItBeforeAnyCall(string option, string value, string message)
    {
        var run = await _cli.RunWithStdinAsync(OneCiphertext, "reencrypt", Alias, option, value);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith(message, run.Stderr, StringComparison.Ordinal);
        Assert.Empty(_cli.Kms.Calls);
    }

    [Fact]
    public async Task Reencrypt_OverwriteWithoutOutputDir_ExitsTwo()
    {
        var run = await _cli.RunWithStdinAsync(OneCiphertext, "reencrypt", Alias, "--overwrite");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("keyrotation reencrypt: --overwrite applies to --output-dir only: without it the new ciphertexts go to stdout.\n", run.Stderr);
    }

    [Fact]
    public async Task Reencrypt_DashAmongFiles_ExitsTwo()
    {
        var file = _cli.File("a.bin", _cli.UnderPrevious("key a"));

        var run = await _cli.RunWithStdinAsync(OneCiphertext, "reencrypt", Alias, file, "-");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("keyrotation reencrypt: '-' (standard input) cannot be combined with files", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reencrypt_MistypedOption_IsReportedWithTheClosestOptionNotTakenForAFile()
    {
        var run = await _cli.RunWithStdinAsync(OneCiphertext, "reencrypt", Alias, "a.bin", "--ovewrite");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("keyrotation reencrypt: unrecognized option '--ovewrite' (did you mean --overwrite?)\nUsage: keyrotation reencrypt ALIAS [FILE...]", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reencrypt_MissingAlias_ExitsTwoWithTheUsageLine()
    {
        var run = await _cli.RunWithStdinAsync(OneCiphertext, "reencrypt");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("keyrotation reencrypt: missing argument ALIAS\nUsage: keyrotation reencrypt ALIAS [FILE...] [options]", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reencrypt_CurrentKeyNotForEncryption_ExitsTwoNamingItsSpec()
    {
        _cli.Kms.AddKey("alias/webhook", KeySpec.HMAC_256, KeyUsageType.GENERATE_VERIFY_MAC);

        var run = await _cli.RunWithStdinAsync(OneCiphertext, "reencrypt", "alias/webhook");

        Assert.Equal(2, run.ExitCode);
        Assert.EndsWith("is HMAC_256 for GENERATE_VERIFY_MAC: reencrypt works with encryption keys (SYMMETRIC_DEFAULT, or RSA_2048, RSA_3072 or RSA_4096, for ENCRYPT_DECRYPT) only.\n", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(_cli.ReEncrypts);
    }

    [Fact]
    public async Task Reencrypt_CurrentKeyDisabled_ExitsOneBeforeReadingAnyCiphertext()
    {
        _cli.Current.KeyState = KeyState.Disabled;

        var run = await _cli.RunWithStdinAsync(OneCiphertext, "reencrypt", Alias);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"keyrotation reencrypt: {Alias}'s current key {_cli.Current.KeyId} is Disabled: KMS re-encrypts only to an enabled key. Nothing was read or written.\n", run.Stderr);
        Assert.Empty(_cli.ReEncrypts);
    }

    [Fact]
    public async Task Reencrypt_NoInputOnATerminal_ExitsTwoSayingHowToGiveCiphertexts()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var host = new KeyRotation.Cli.CliHost { KmsClient = () => _cli.Kms.Object, StdinIsTerminal = true, Stdin = new StringReader(OneCiphertext) };

        var exit = await KeyRotation.Cli.CliApp.RunAsync(["reencrypt", Alias], stdout, stderr, new Dictionary<string, string>(), host, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.StartsWith("keyrotation reencrypt: no ciphertexts: name files (one ciphertext each), or pipe base64 ciphertexts into standard input", stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(_cli.Kms.Calls);
    }
}
