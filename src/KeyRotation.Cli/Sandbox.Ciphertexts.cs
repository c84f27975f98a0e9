using System.Globalization;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core.Consumers;

namespace KeyRotation.Cli;

/// <summary>
/// The sandbox's stored ciphertexts (docs/cli.md, the sandbox), so <c>reencrypt</c> has something to move: encrypted
/// data keys of <see cref="Orders"/>'s generations, as an application keeps them, in <c>NAME-ciphertexts/</c> beside
/// the state file. Raw files under the two generations before the current one and under the current one (which
/// reencrypt skips), a base64 file of one data key per earlier generation (the standard input form), and one raw file
/// bound to an encryption context (<see cref="CiphertextContext"/>), in a folder of its own so the <c>*.bin</c> step
/// leaves it out. Seeded with the keys (and again by --sandbox-reset); a state from before them gets them on first use.
/// </summary>
internal sealed partial class Sandbox
{
    /// <summary>The base64 file: one ciphertext per line, one line per earlier generation, oldest first.</summary>
    public const string CiphertextLines = "data-keys.b64";

    /// <summary>The folder (inside the ciphertexts folder) of the ciphertext that needs <see cref="CiphertextContext"/>.</summary>
    public const string CiphertextContextFolder = "with-context";

    /// <summary>The encryption context of the file in <see cref="CiphertextContextFolder"/>, as --encryption-context takes it.</summary>
    public const string CiphertextContext = "app=orders,purpose=export";

    private static readonly Dictionary<string, string> CiphertextContextPairs = new(StringComparer.Ordinal) { ["app"] = "orders", ["purpose"] = "export" };

    /// <summary>The ciphertexts folder beside the state file; null when the sandbox lives only for this command (nothing to keep them for).</summary>
    public string? CiphertextDirectory => _state is null ? null : Path.ChangeExtension(_state.Path, null) + "-ciphertexts";

    /// <summary>What was written by this command (the stderr note), null when nothing was.</summary>
    public string? CiphertextsSeeded { get; private set; }

    /// <summary>The name of the raw file of a ciphertext under generation <paramref name="generation"/>.</summary>
    public static string CiphertextFile(long generation) => string.Create(CultureInfo.InvariantCulture, $"generation-{generation}.bin");

    /// <summary>The name of the file in <see cref="CiphertextContextFolder"/> (another than the raw files', so both can go to one --output-dir).</summary>
    public static string CiphertextContextFile(long generation) => string.Create(CultureInfo.InvariantCulture, $"generation-{generation}-export.bin");

    /// <summary>
    /// Writes the ciphertexts when the KMS state was seeded just now (<paramref name="seeded"/>: any kept ones are
    /// under keys that are gone) or none are kept yet. Each is encrypted as of a day after its key became current
    /// (never later than now), so the key's last use is what an application would have left, and retention's proof of
    /// non-use sees the same old keys as before the ciphertexts existed.
    /// </summary>
    private async Task SeedCiphertextsAsync(AmazonKeyManagementServiceClient kms, ShiftedClock clock, bool seeded, CancellationToken ct)
    {
        if (CiphertextDirectory is not { } directory || (!seeded && Directory.Exists(directory)))
        {
            return;
        }

        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            var generations = await AliasGenerations.ReadAsync(kms, Orders, ct);
            var earlier = generations.All.Where(g => g.Role == GenerationRole.Earlier && g.KeyArn is not null).OrderBy(g => g.Generation).ToList();
            var current = generations.Current;
            var raw = earlier.TakeLast(2).Append(current).ToList();
            var bound = earlier.Count > 1 ? earlier[1] : earlier.Count > 0 ? earlier[0] : current;

            // Written to a folder of their own first, so a failure halfway leaves none (and the next command tries again).
            var writing = directory + ".seeding";
            if (Directory.Exists(writing))
            {
                Directory.Delete(writing, recursive: true);
            }

            Directory.CreateDirectory(Path.Combine(writing, CiphertextContextFolder));
            foreach (var generation in raw)
            {
                await File.WriteAllBytesAsync(Path.Combine(writing, CiphertextFile(generation.Generation)), await DataKeyAsync(kms, clock, generation, null, ct), ct);
            }

            var lines = new List<string>();
            foreach (var generation in earlier)
            {
                lines.Add(Convert.ToBase64String(await DataKeyAsync(kms, clock, generation, null, ct)));
            }

            await File.WriteAllLinesAsync(Path.Combine(writing, CiphertextLines), lines, ct);
            await File.WriteAllBytesAsync(Path.Combine(writing, CiphertextContextFolder, CiphertextContextFile(bound.Generation)), await DataKeyAsync(kms, clock, bound, CiphertextContextPairs, ct), ct);
            Directory.Move(writing, directory);

            var files = string.Join(", ", raw.Select(g => CiphertextFile(g.Generation)));
            CiphertextsSeeded = $"Sandbox ciphertexts of {Orders} for reencrypt: {directory} ({files} raw, the last under the current key; {CiphertextLines} one base64 per line; {CiphertextContextFolder}/{CiphertextContextFile(bound.Generation)} with --encryption-context {CiphertextContext}).";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"The sandbox ciphertexts cannot be written to {directory}: {ex.Message}", ex);
        }
        finally
        {
            clock.Offset = TimeSpan.Zero;
        }
    }

    /// <summary>A 256-bit data key's ciphertext under <paramref name="generation"/>'s key, as an application stores it (the plaintext is not kept).</summary>
    private static async Task<byte[]> DataKeyAsync(AmazonKeyManagementServiceClient kms, ShiftedClock clock, ConsumerGeneration generation, Dictionary<string, string>? context, CancellationToken ct)
    {
        var key = await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = generation.KeyArn ?? generation.KeyId }, ct);
        clock.Offset = TimeSpan.Zero;
        var created = key.KeyMetadata.CreationDate is { } date ? new DateTimeOffset(DateTime.SpecifyKind(date, DateTimeKind.Utc)) : clock.GetUtcNow();
        var back = created + TimeSpan.FromDays(1) - clock.GetUtcNow();
        clock.Offset = back < TimeSpan.Zero ? back : TimeSpan.Zero;
        var answer = await kms.GenerateDataKeyWithoutPlaintextAsync(
            new GenerateDataKeyWithoutPlaintextRequest { KeyId = key.KeyMetadata.Arn, KeySpec = DataKeySpec.AES_256, EncryptionContext = context },
            ct);
        return answer.CiphertextBlob.ToArray();
    }
}
