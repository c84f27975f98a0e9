using System.Text.Json;

namespace KeyRotation.IntegrationTests.Cli.Reencrypt;

/// <summary><c>keyrotation reencrypt</c> from standard input to stdout, against a Moq KMS: lines in order, contexts, JSON, dry run.</summary>
public sealed class ReencryptCommandTests : IDisposable
{
    private const string Alias = ReencryptMockHarness.Alias;
    private readonly ReencryptMockHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private static string Lines(params string[] lines) => string.Join('\n', lines) + "\n";

    [Fact]
    public async Task Reencrypt_Stdin_WritesOneBase64LinePerInputLineInOrder()
    {
        var first = _cli.UnderPrevious("key one");
        var second = _cli.UnderPrevious("key two");

        var run = await _cli.RunWithStdinAsync(Lines(Convert.ToBase64String(first), string.Empty, Convert.ToBase64String(second)), "reencrypt", Alias);

        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.Equal((_cli.Current.KeyId, "key one"), Read(lines[0]));
        Assert.Equal(string.Empty, lines[1]);
        Assert.Equal((_cli.Current.KeyId, "key two"), Read(lines[2]));
        Assert.Equal(string.Empty, lines[3]);
        Assert.Equal([first, second], _cli.Ciphertexts.Requests.Select(r => r.Ciphertext));
        Assert.All(_cli.ReEncrypts, r => Assert.Equal(_cli.Current.Arn, r.DestinationKeyId));
        Assert.Equal($"Re-encryption to {Alias} ({_cli.Current.KeyId}): 2 re-encrypted, 0 skipped (already current), 0 failed.\n", run.Stderr);
    }

    [Fact]
    public async Task Reencrypt_DashReadsStdin_AsNoFileDoes()
    {
        var run = await _cli.RunWithStdinAsync(Lines(Convert.ToBase64String(_cli.UnderPrevious("key one"))), "reencrypt", Alias, "-");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal((_cli.Current.KeyId, "key one"), Read(run.Stdout.TrimEnd('\n')));
    }

    [Fact]
    public async Task Reencrypt_BadLines_AreNamedByLineNumberLeftEmptyAndTheOthersStillRun()
    {
        var good = Convert.ToBase64String(_cli.UnderPrevious("key one"));

        var run = await _cli.RunWithStdinAsync(Lines("not base64!", Convert.ToBase64String("not a ciphertext"u8.ToArray()), good), "reencrypt", Alias);

        Assert.Equal(1, run.ExitCode);
        var lines = run.Stdout.Split('\n');
        Assert.Equal(["", "", ""], lines[..2].Append(lines[3]));
        Assert.Equal((_cli.Current.KeyId, "key one"), Read(lines[2]));
        var errors = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("keyrotation reencrypt: stdin line 1: not base64: one base64 ciphertext is expected.", errors[0]);
        Assert.StartsWith("keyrotation reencrypt: stdin line 2: InvalidCiphertextException: KMS cannot decrypt it", errors[1], StringComparison.Ordinal);
        Assert.EndsWith("1 re-encrypted, 0 skipped (already current), 2 failed.", errors[2], StringComparison.Ordinal);
        Assert.Equal(3, errors.Length);
        Assert.Equal(2, _cli.ReEncrypts.Count);
    }

    [Fact]
    public async Task Reencrypt_CiphertextOfAnotherAlias_IsRefusedNamingTheLineAndTheAlias()
    {
        var billing = _cli.Kms.AddKey("alias/billing");

        var run = await _cli.RunWithStdinAsync(Lines(Convert.ToBase64String(_cli.Ciphertexts.Encrypt(billing.KeyId, "billing key"))), "reencrypt", Alias);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("\n", run.Stdout);
        Assert.StartsWith($"keyrotation reencrypt: stdin line 1: it is under key {billing.Arn} (a key of alias/billing), which is not a generation of {Alias}.\n", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reencrypt_AlreadyCurrent_IsSkippedAndPrintedUnchanged()
    {
        var current = _cli.Ciphertexts.Encrypt(_cli.Current.KeyId, "key two");

        var run = await _cli.RunWithStdinAsync(Lines(Convert.ToBase64String(current)), "reencrypt", Alias);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(Convert.ToBase64String(current) + "\n", run.Stdout);
        Assert.Contains("0 re-encrypted, 1 skipped (already current), 0 failed.", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tenant=acme,purpose=orders")]
    [InlineData("{\"tenant\":\"acme\",\"purpose\":\"orders\"}")]
    public async Task Reencrypt_EncryptionContext_IsPassedAsSourceAndDestinationContext(string option)
    {
        var context = new Dictionary<string, string> { ["tenant"] = "acme", ["purpose"] = "orders" };

        var run = await _cli.RunWithStdinAsync(Lines(Convert.ToBase64String(_cli.UnderPrevious("key one", context))), "reencrypt", Alias, "--encryption-context", option);

        Assert.Equal(0, run.ExitCode);
        var request = Assert.Single(_cli.ReEncrypts);
        Assert.Equal(context, request.SourceEncryptionContext);
        Assert.Equal(context, request.DestinationEncryptionContext);
        Assert.Null(request.SourceKeyId);
        Assert.Null(request.DryRun);
    }

    [Fact]
    public async Task Reencrypt_EncryptionContextFromAFile_IsReadAsTheAwsCliReadsFileUrls()
    {
        var context = new Dictionary<string, string> { ["tenant"] = "acme" };
        var file = _cli.File("context.json", "{\"tenant\": \"acme\"}\n"u8.ToArray());

        var run = await _cli.RunWithStdinAsync(Lines(Convert.ToBase64String(_cli.UnderPrevious("key one", context))), "reencrypt", Alias, "--encryption-context", "file://" + file);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(context, Assert.Single(_cli.ReEncrypts).SourceEncryptionContext);
    }

    [Fact]
    public async Task Reencrypt_DestinationEncryptionContext_BindsTheNewCiphertextToIt()
    {
        var run = await _cli.RunWithStdinAsync(
            Lines(Convert.ToBase64String(_cli.UnderPrevious("key one", new Dictionary<string, string> { ["tenant"] = "acme" }))),
            "reencrypt", Alias, "--encryption-context", "tenant=acme", "--destination-encryption-context", "tenant=acme,version=2");

        Assert.Equal(0, run.ExitCode);
        var request = Assert.Single(_cli.ReEncrypts);
        Assert.Equal(new Dictionary<string, string> { ["tenant"] = "acme" }, request.SourceEncryptionContext);
        Assert.Equal(new Dictionary<string, string> { ["tenant"] = "acme", ["version"] = "2" }, request.DestinationEncryptionContext);
        Assert.Equal(request.DestinationEncryptionContext, MockCiphertexts.Read(Convert.FromBase64String(run.Stdout.Trim())).Context);
    }

    [Fact]
    public async Task Reencrypt_DryRun_SendsDryRunWritesNoCiphertextAndListsThePlan()
    {
        var run = await _cli.RunWithStdinAsync(Lines(Convert.ToBase64String(_cli.UnderPrevious("key one"))), "reencrypt", Alias, "--dry-run", "--output", "text");

        Assert.Equal(0, run.ExitCode);
        Assert.True(Assert.Single(_cli.ReEncrypts).DryRun);
        Assert.StartsWith("stdin line 1\tPlanned\t-\tKMS would re-encrypt it under ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 planned, 0 failed; dry run, nothing was written.", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reencrypt_OutputJson_HoldsEachResultWithItsCiphertextAndTheSummary()
    {
        var billing = _cli.Kms.AddKey("alias/billing");

        var run = await _cli.RunWithStdinAsync(
            Lines(Convert.ToBase64String(_cli.UnderPrevious("key one")), Convert.ToBase64String(_cli.Ciphertexts.Encrypt(billing.KeyId, "billing key"))),
            "reencrypt", Alias, "--output", "json");

        Assert.Equal(1, run.ExitCode);
        var json = run.Json();
        Assert.Equal(Alias, json.GetProperty("alias").GetString());
        Assert.Equal(_cli.Current.Arn, json.GetProperty("destinationKeyId").GetString());
        var results = json.GetProperty("results");
        Assert.Equal(("stdin line 1", "ReEncrypted", _cli.Previous.Arn), (results[0].GetProperty("input").GetString(), results[0].GetProperty("outcome").GetString(), results[0].GetProperty("sourceKeyId").GetString()));
        Assert.Equal((_cli.Current.KeyId, "key one"), Read(results[0].GetProperty("ciphertext").GetString()!));
        Assert.Equal(("Failed", JsonValueKind.Null), (results[1].GetProperty("outcome").GetString(), results[1].GetProperty("ciphertext").ValueKind));
        Assert.Equal((1, 0, 1), (json.GetProperty("summary").GetProperty("reEncrypted").GetInt32(), json.GetProperty("summary").GetProperty("skipped").GetInt32(), json.GetProperty("summary").GetProperty("failed").GetInt32()));
        Assert.StartsWith("keyrotation reencrypt: stdin line 2: it is under key", run.Stderr, StringComparison.Ordinal);
    }

    private static (string KeyId, string Plaintext) Read(string base64)
    {
        var read = MockCiphertexts.Read(Convert.FromBase64String(base64));
        return (read.KeyId, read.Plaintext);
    }
}
