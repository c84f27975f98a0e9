using System.Text;

namespace KeyRotation.IntegrationTests.Cli.Reencrypt;

/// <summary><c>keyrotation reencrypt FILE... --output-dir DIR</c> against a Moq KMS: one file per input, never half-written, never over a file unasked.</summary>
public sealed class ReencryptCommandFileTests : IDisposable
{
    private const string Alias = ReencryptMockHarness.Alias;
    private readonly ReencryptMockHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Reencrypt_RawFilesToOutputDir_WritesOneRawFileEachAndLeavesTheInputs()
    {
        var a = _cli.UnderPrevious("key a");
        var b = _cli.UnderPrevious("key b");
        var inputs = new[] { _cli.File("in/a.bin", a), _cli.File("in/b.bin", b) };

        var run = await _cli.RunAsync(["reencrypt", Alias, .. inputs, "--output-dir", _cli.PathOf("out"), "--output", "text"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["in/a.bin", "in/b.bin", "out/a.bin", "out/b.bin"], _cli.Files());
        Assert.Equal(a, File.ReadAllBytes(inputs[0]));
        Assert.Equal(b, File.ReadAllBytes(inputs[1]));
        Assert.Equal((_cli.Current.KeyId, "key a"), Read(File.ReadAllBytes(_cli.PathOf("out/a.bin"))));
        Assert.Equal((_cli.Current.KeyId, "key b"), Read(File.ReadAllBytes(_cli.PathOf("out/b.bin"))));
        var rows = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
        Assert.Equal([inputs[0], "ReEncrypted", _cli.Previous.KeyId], rows[0][..3]);
        Assert.Equal(_cli.PathOf("out/a.bin"), Path.GetFullPath(rows[0][3]));
        Assert.Equal(2, rows.Count);
        Assert.Equal($"Re-encryption to {Alias} ({_cli.Current.KeyId}): 2 re-encrypted, 0 skipped (already current), 0 failed.\n", run.Stderr);
    }

    [Fact]
    public async Task Reencrypt_Base64Files_AreReadAndWrittenAsBase64()
    {
        var input = _cli.File("a.b64", Encoding.ASCII.GetBytes(Convert.ToBase64String(_cli.UnderPrevious("key a")) + "\r\n"));

        var run = await _cli.RunAsync("reencrypt", Alias, input, "--input-format", "base64", "--output-dir", _cli.PathOf("out"));

        Assert.Equal(0, run.ExitCode);
        var written = File.ReadAllText(_cli.PathOf("out/a.b64"));
        Assert.EndsWith("\n", written, StringComparison.Ordinal);
        Assert.Equal((_cli.Current.KeyId, "key a"), Read(Convert.FromBase64String(written.Trim())));
    }

    [Fact]
    public async Task Reencrypt_FilesWithoutOutputDir_PrintBase64LinesInInputOrder()
    {
        var inputs = new[] { _cli.File("b.bin", _cli.UnderPrevious("key b")), _cli.File("a.bin", _cli.UnderPrevious("key a")) };

        var run = await _cli.RunAsync(["reencrypt", Alias, .. inputs]);

        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["key b", "key a"], lines.Select(l => Read(Convert.FromBase64String(l)).Plaintext));
    }

    [Fact]
    public async Task Reencrypt_OutputFileExists_ExitsTwoNamingItAndCallsNothing()
    {
        var input = _cli.File("in/a.bin", _cli.UnderPrevious("key a"));
        _cli.File("out/a.bin", "keep me"u8.ToArray());
        var shown = Path.Combine(_cli.PathOf("out"), "a.bin");

        var run = await _cli.RunAsync("reencrypt", Alias, input, "--output-dir", _cli.PathOf("out"));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"keyrotation reencrypt: --output-dir: {shown} exists; pass --overwrite to replace it (each file is replaced whole, never half-written).\n", run.Stderr);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.DoesNotContain("ListAliases", _cli.Kms.Operations);
        Assert.Equal("keep me"u8.ToArray(), File.ReadAllBytes(_cli.PathOf("out/a.bin")));
    }

    [Fact]
    public async Task Reencrypt_OutputDirIsTheInputsDirectory_IsRefusedWithoutOverwrite()
    {
        var input = _cli.File("a.bin", _cli.UnderPrevious("key a"));

        var run = await _cli.RunAsync("reencrypt", Alias, input, "--output-dir", _cli.Scratch);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("a.bin is the input itself; pass --overwrite to replace it", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(_cli.ReEncrypts);
    }

    [Fact]
    public async Task Reencrypt_OverwriteInPlace_ReplacesEachInputWholeAndLeavesNoTemporaryFile()
    {
        var current = _cli.Ciphertexts.Encrypt(_cli.Current.KeyId, "key c");
        var old = _cli.File("a.bin", _cli.UnderPrevious("key a"));
        var skipped = _cli.File("c.bin", current);

        var run = await _cli.RunAsync("reencrypt", Alias, old, skipped, "--output-dir", _cli.Scratch, "--overwrite");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["a.bin", "c.bin"], _cli.Files());
        Assert.Equal((_cli.Current.KeyId, "key a"), Read(File.ReadAllBytes(old)));
        Assert.Equal(current, File.ReadAllBytes(skipped));
        Assert.Contains("1 re-encrypted, 1 skipped (already current), 0 failed.", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reencrypt_TwoInputsOfOneName_ExitsTwoNamingBoth()
    {
        var first = _cli.File("x/a.bin", _cli.UnderPrevious("key a"));
        var second = _cli.File("y/a.bin", _cli.UnderPrevious("key a"));

        var run = await _cli.RunAsync("reencrypt", Alias, first, second, "--output-dir", _cli.PathOf("out"));

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"keyrotation reencrypt: --output-dir: '{first}' and '{second}' would both be written to ", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(_cli.ReEncrypts);
    }

    [Fact]
    public async Task Reencrypt_MissingEmptyOrForeignFiles_FailOneLineEachAfterTheOthersRan()
    {
        var billing = _cli.Kms.AddKey("alias/billing");
        var missing = _cli.PathOf("in/missing.bin");
        var empty = _cli.File("in/empty.bin", []);
        var foreign = _cli.File("in/billing.bin", _cli.Ciphertexts.Encrypt(billing.KeyId, "billing key"));
        var good = _cli.File("in/good.bin", _cli.UnderPrevious("key g"));

        var run = await _cli.RunAsync("reencrypt", Alias, missing, empty, foreign, good, "--output-dir", _cli.PathOf("out"));

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(["in/billing.bin", "in/empty.bin", "in/good.bin", "out/good.bin"], _cli.Files());
        var errors = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"keyrotation reencrypt: {missing}: no such file.", errors[0]);
        Assert.Equal($"keyrotation reencrypt: {empty}: the file is empty: no ciphertext.", errors[1]);
        Assert.Equal($"keyrotation reencrypt: {foreign}: it is under key {billing.Arn} (a key of alias/billing), which is not a generation of {Alias}.", errors[2]);
        Assert.EndsWith("1 re-encrypted, 0 skipped (already current), 3 failed.", errors[3], StringComparison.Ordinal);
        Assert.Equal(4, errors.Length);
    }

    [Fact]
    public async Task Reencrypt_FileLargerThanAnyCiphertext_FailsWithoutBeingSent()
    {
        var data = _cli.File("data.bin", new byte[7000]);

        var run = await _cli.RunAsync("reencrypt", Alias, data);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"keyrotation reencrypt: {data}: 7000 bytes, more than a KMS ciphertext can be (6144 bytes)", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(_cli.ReEncrypts);
    }

    [Fact]
    public async Task Reencrypt_DryRunWithOutputDir_WritesNothing()
    {
        var input = _cli.File("in/a.bin", _cli.UnderPrevious("key a"));

        var run = await _cli.RunAsync("reencrypt", Alias, input, "--output-dir", _cli.PathOf("out"), "--dry-run");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["in/a.bin"], _cli.Files());
        Assert.Contains("Planned", run.Stdout, StringComparison.Ordinal);
    }

    private static (string KeyId, string Plaintext) Read(byte[] ciphertext)
    {
        var read = MockCiphertexts.Read(ciphertext);
        return (read.KeyId, read.Plaintext);
    }
}
