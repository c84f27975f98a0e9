using Amazon.KeyManagementService.Model;
using KeyRotation.Cli;
using KeyRotation.Core;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.IntegrationTests.Cli.Reencrypt;

/// <summary>
/// Runs <c>keyrotation reencrypt</c> in process against a Moq KMS (<see cref="KmsMock"/> with <see cref="MockCiphertexts"/>)
/// whose alias/orders has two generations, with a scratch directory for input and output files.
/// </summary>
internal sealed class ReencryptMockHarness : IDisposable
{
    public const string Alias = "alias/orders";

    public ReencryptMockHarness()
    {
        Kms = new KmsMock(new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero)));
        Ciphertexts = new MockCiphertexts(Kms);
        Previous = Kms.AddKey("alias/orders-before");
        Kms.Aliases.Remove("alias/orders-before");
        Current = Kms.AddKey(Alias, tags: new Dictionary<string, string>
        {
            [RotationTags.Alias] = Alias,
            [RotationTags.PreviousKey] = Previous.KeyId,
            [RotationTags.Generation] = "2",
        });
        Directory.CreateDirectory(Scratch);
    }

    public KmsMock Kms { get; }

    public MockCiphertexts Ciphertexts { get; }

    /// <summary>Generation 1: the key the alias pointed at before its rotation.</summary>
    public KeyMetadata Previous { get; }

    /// <summary>Generation 2: where alias/orders points now.</summary>
    public KeyMetadata Current { get; }

    public string Scratch { get; } = Path.Combine(Path.GetTempPath(), $"reencrypt-{Guid.NewGuid():N}");

    /// <summary>The ReEncrypt requests made, in order.</summary>
    public IReadOnlyList<ReEncryptRequest> ReEncrypts => [.. Ciphertexts.Requests.Select(r => r.Request)];

    public byte[] UnderPrevious(string plaintext, IReadOnlyDictionary<string, string>? context = null) => Ciphertexts.Encrypt(Previous.KeyId, plaintext, context);

    /// <summary>Writes a file in the scratch directory and returns its path.</summary>
    public string File(string name, byte[] content)
    {
        var path = Path.Combine(Scratch, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, content);
        return path;
    }

    public string PathOf(string name) => Path.Combine(Scratch, name);

    /// <summary>Every file left in the scratch directory, relative to it (temporary files included).</summary>
    public IReadOnlyList<string> Files() =>
        [.. Directory.EnumerateFiles(Scratch, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Scratch, f).Replace('\\', '/')).Order(StringComparer.Ordinal)];

    public Task<CliRun> RunAsync(params string[] args) => RunWithStdinAsync(null, args);

    public async Task<CliRun> RunWithStdinAsync(string? stdin, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var host = new CliHost { KmsClient = () => Kms.Object, Stdin = new StringReader(stdin ?? string.Empty), Time = Kms.Time };
        var exit = await CliApp.RunAsync(args, stdout, stderr, new Dictionary<string, string>(StringComparer.Ordinal), host, CancellationToken.None);
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }

    public void Dispose()
    {
        if (Directory.Exists(Scratch))
        {
            Directory.Delete(Scratch, recursive: true);
        }
    }
}
