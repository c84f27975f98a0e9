using Amazon.KeyManagementService.Model;
using KeyRotation.Cli;
using KeyRotation.LocalKms;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>
/// The sandbox's stored ciphertexts of alias/demo/orders (docs/cli.md, the sandbox): seeded beside the state file,
/// re-encrypted by <c>reencrypt --sandbox</c> through the CLI entry point to the current key (checked by decrypting the
/// old and new ciphertexts in the kept LocalKms state), the one bound to an encryption context refused without it, a
/// second run skipping them, and --sandbox-reset writing them again under the new keys.
/// </summary>
public sealed class SandboxCiphertextsTests : IDisposable
{
    private const string Orders = Sandbox.Orders;
    private readonly CliHarness _cli = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("keyrotation-sandbox-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string StateFile => Path.Combine(_directory, "state.json");

    private string Ciphertexts => Path.Combine(_directory, "state-ciphertexts");

    private string Output => Path.Combine(_directory, "reencrypted");

    private string ContextFile => Path.Combine(Ciphertexts, Sandbox.CiphertextContextFolder, Sandbox.CiphertextContextFile(2));

    private Task<CliRun> SandboxAsync(params string[] args) => SandboxAsync(TextReader.Null, args);

    private Task<CliRun> SandboxAsync(TextReader stdin, params string[] args) =>
        _cli.RunAsync(new CliHost { Time = _time, Stdin = stdin }, [.. args, "--sandbox", "--sandbox-state", StateFile]);

    [Fact]
    public async Task FreshSandbox_WritesCiphertextsUnderEachGenerationAndPrintsWhere()
    {
        var run = await SandboxAsync("status", Orders);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"Sandbox ciphertexts of {Orders} for reencrypt: {Ciphertexts} (generation-2.bin, generation-3.bin, generation-4.bin raw", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--encryption-context app=orders,purpose=export", run.Stderr, StringComparison.Ordinal);
        using var state = LoadState();
        var generations = await GenerationKeysAsync(state);

        // Encrypted as of their generation's time (read before this test decrypts): the old keys' last use stays older than retention's 30 days.
        var lastUse = state.Service.GetKeyLastUsageSnapshot(generations[2]);
        Assert.NotNull(lastUse);
        Assert.True(lastUse.Timestamp < _time.GetUtcNow().AddDays(-30), $"generation 2 last used {lastUse.Timestamp}");
        foreach (var generation in new long[] { 2, 3, 4 })
        {
            var decrypted = await state.Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(await File.ReadAllBytesAsync(RawFile(generation))) });
            Assert.Equal(generations[generation], decrypted.KeyId);
            Assert.Equal(32, decrypted.Plaintext.Length);
        }

        var lines = await File.ReadAllLinesAsync(Path.Combine(Ciphertexts, Sandbox.CiphertextLines));
        Assert.Equal(3, lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            var decrypted = await state.Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(Convert.FromBase64String(lines[i])) });
            Assert.Equal(generations[i + 1], decrypted.KeyId);
        }

        var bound = await state.Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(await File.ReadAllBytesAsync(ContextFile)), EncryptionContext = ExportContext() });
        Assert.Equal(generations[2], bound.KeyId);
    }

    [Fact]
    public async Task Reencrypt_SeededFiles_MovesEachToTheCurrentKeySkipsTheCurrentOneAndASecondRunSkipsAll()
    {
        await SandboxAsync("status", Orders);
        var inputs = new long[] { 2, 3, 4 }.Select(RawFile).ToArray();

        var run = await SandboxAsync(["reencrypt", Orders, .. inputs, "--output-dir", Output, "--output", "json"]);
        var again = await SandboxAsync(["reencrypt", Orders, .. inputs.Select(i => Path.Combine(Output, Path.GetFileName(i))), "--output-dir", Path.Combine(_directory, "again"), "--output", "json"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["ReEncrypted", "ReEncrypted", "Skipped"], Outcomes(run));
        using var state = LoadState();
        var current = (await GenerationKeysAsync(state))[4];
        foreach (var input in inputs)
        {
            var before = await DecryptAsync(state, await File.ReadAllBytesAsync(input));
            var after = await DecryptAsync(state, await File.ReadAllBytesAsync(Path.Combine(Output, Path.GetFileName(input))));
            Assert.Equal(current, after.KeyId);
            Assert.Equal(before.Plaintext.ToArray(), after.Plaintext.ToArray());
        }

        Assert.Equal(0, again.ExitCode);
        Assert.Equal(["Skipped", "Skipped", "Skipped"], Outcomes(again));
    }

    [Fact]
    public async Task Reencrypt_Base64LinesOnStdin_WritesOneLineEachUnderTheCurrentKey()
    {
        await SandboxAsync("status", Orders);
        var lines = await File.ReadAllLinesAsync(Path.Combine(Ciphertexts, Sandbox.CiphertextLines));

        var run = await SandboxAsync(new StringReader(string.Join('\n', lines) + "\n"), "reencrypt", Orders);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("3 re-encrypted, 0 skipped (already current), 0 failed.", run.Stderr, StringComparison.Ordinal);
        var output = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines.Length, output.Length);
        using var state = LoadState();
        var current = (await GenerationKeysAsync(state))[4];
        for (var i = 0; i < lines.Length; i++)
        {
            var before = await DecryptAsync(state, Convert.FromBase64String(lines[i]));
            var after = await DecryptAsync(state, Convert.FromBase64String(output[i]));
            Assert.Equal(current, after.KeyId);
            Assert.Equal(before.Plaintext.ToArray(), after.Plaintext.ToArray());
        }
    }

    [Fact]
    public async Task Reencrypt_TheBoundCiphertext_FailsWithoutItsEncryptionContextAndMovesWithIt()
    {
        await SandboxAsync("status", Orders);

        var without = await SandboxAsync("reencrypt", Orders, ContextFile, "--output-dir", Output);
        var with = await SandboxAsync("reencrypt", Orders, ContextFile, "--output-dir", Output, "--encryption-context", Sandbox.CiphertextContext, "--output", "json");

        Assert.Equal(1, without.ExitCode);
        Assert.Contains($"keyrotation reencrypt: {ContextFile}: InvalidCiphertextException", without.Stderr, StringComparison.Ordinal);
        Assert.Contains("0 re-encrypted, 0 skipped (already current), 1 failed.", without.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, with.ExitCode);
        Assert.Equal(["ReEncrypted"], Outcomes(with));
        using var state = LoadState();
        var moved = await state.Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(await File.ReadAllBytesAsync(Path.Combine(Output, Path.GetFileName(ContextFile)))), EncryptionContext = ExportContext() });
        var original = await state.Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(await File.ReadAllBytesAsync(ContextFile)), EncryptionContext = ExportContext() });
        Assert.Equal((await GenerationKeysAsync(state))[4], moved.KeyId);
        Assert.Equal(original.Plaintext.ToArray(), moved.Plaintext.ToArray());
    }

    [Fact]
    public async Task ContinuedSandbox_KeepsTheCiphertextsAndResetWritesThemAgainUnderTheNewKeys()
    {
        await SandboxAsync("status", Orders);
        var seeded = await File.ReadAllBytesAsync(RawFile(2));

        var continued = await SandboxAsync("status", Orders);
        var kept = await File.ReadAllBytesAsync(RawFile(2));
        var reset = await SandboxAsync("status", Orders, "--sandbox-reset");

        Assert.DoesNotContain("Sandbox ciphertexts", continued.Stderr, StringComparison.Ordinal);
        Assert.Equal(seeded, kept);
        Assert.Equal(0, reset.ExitCode);
        Assert.Contains("Sandbox ciphertexts of", reset.Stderr, StringComparison.Ordinal);
        using var state = LoadState();
        var decrypted = await DecryptAsync(state, await File.ReadAllBytesAsync(RawFile(2)));
        Assert.Equal((await GenerationKeysAsync(state))[2], decrypted.KeyId);
        Assert.NotEqual(seeded, await File.ReadAllBytesAsync(RawFile(2)));
    }

    [Fact]
    public async Task StateFromBeforeTheCiphertexts_GetsThemOnFirstUseUnderItsGenerations()
    {
        await SandboxAsync("status", Orders);
        Directory.Delete(Ciphertexts, recursive: true);

        var run = await SandboxAsync("status", Orders);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("continued from the last command", run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"Sandbox ciphertexts of {Orders} for reencrypt: {Ciphertexts}", run.Stderr, StringComparison.Ordinal);
        using var state = LoadState();
        var decrypted = await DecryptAsync(state, await File.ReadAllBytesAsync(RawFile(3)));
        Assert.Equal((await GenerationKeysAsync(state))[3], decrypted.KeyId);
        Assert.True(File.Exists(ContextFile));
    }

    private static Dictionary<string, string> ExportContext() => new(StringComparer.Ordinal) { ["app"] = "orders", ["purpose"] = "export" };

    private static Task<DecryptResponse> DecryptAsync(KeptState state, byte[] ciphertext) =>
        state.Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext) });

    private static List<string?> Outcomes(CliRun run) =>
        [.. run.Json().GetProperty("results").EnumerateArray().Select(r => r.GetProperty("outcome").GetString())];

    /// <summary>Generation number to key ARN, as the consumer commands number them.</summary>
    private static async Task<Dictionary<long, string>> GenerationKeysAsync(KeptState state)
    {
        var generations = await KeyRotation.Core.Consumers.AliasGenerations.ReadAsync(state.Kms, Orders, CancellationToken.None);
        return generations.All.ToDictionary(g => g.Generation, g => g.KeyArn!);
    }

    private string RawFile(long generation) => Path.Combine(Ciphertexts, Sandbox.CiphertextFile(generation));

    private KeptState LoadState()
    {
        var service = new LocalKmsService(new LocalKmsOptions(), _time);
        Assert.True(new LocalKmsStateFile(StateFile).LoadInto(service));
        return new KeptState(service, service.CreateClient());
    }

    private sealed record KeptState(LocalKmsService Service, Amazon.KeyManagementService.AmazonKeyManagementServiceClient Kms) : IDisposable
    {
        public void Dispose() => Kms.Dispose();
    }
}
