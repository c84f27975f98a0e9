using System.Collections.Concurrent;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.Testing.Soak;

/// <summary>
/// The soak's invariants, written once. They read only the function's responses and KMS through the SDK (aliases, key
/// metadata, tags, rotations, decryption), never the engine's own readers, so they hold the redesign to the outside
/// behaviour. Each violation names the seed, the alias and what was wrong.
/// </summary>
internal sealed class SoakInvariants(IAmazonKeyManagementService kms, int seed, IReadOnlyList<SeededAlias> aliases)
{
    // The tag contract (docs/how-it-works.md: tags), copied so the checker does not share a mistake with the code it checks.
    private const string AliasTag = "keyrotation:alias";
    private const string PreviousKeyTag = "keyrotation:previous-key";
    private const string StateTag = "keyrotation:state";
    private const string PendingState = "pending";
    private static readonly string[] Outcomes = ["Rotated", "Skipped", "Failed"];

    private readonly ConcurrentQueue<string> _violations = new();

    public IReadOnlyList<string> Violations => [.. _violations];

    /// <summary>
    /// A scheduled run answers for every alias exactly once, each Rotated, Skipped or Failed, and a Skipped or Failed one
    /// says why; a run that started always leaves its response. In a healing run nothing fails.
    /// </summary>
    public void CheckRun(SoakRun run, bool healing = false)
    {
        if (run.IsBatch)
        {
            return;
        }

        if (run.Results is not { } results)
        {
            if (run.Started)
            {
                Violate($"({run.Label} run)", $"the run started but left no response ({run.Error})");
            }
            else if (healing)
            {
                Violate($"({run.Label} run)", $"the healing run did not run: {run.Error}");
            }

            return;
        }

        foreach (var twice in results.GroupBy(r => r.Alias, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            Violate(twice.Key, $"listed {twice.Count()} times in the {run.Label} run's response");
        }

        var listed = results.Select(r => r.Alias).ToHashSet(StringComparer.Ordinal);
        foreach (var missing in aliases.Where(a => !listed.Contains(a.Alias)))
        {
            Violate(missing.Alias, $"missing from the {run.Label} run's response");
        }

        foreach (var result in results)
        {
            if (!Outcomes.Contains(result.Outcome))
            {
                Violate(result.Alias, $"outcome {result.Outcome} in the {run.Label} run; expected one of {string.Join(", ", Outcomes)}");
            }
            else if (result.Outcome != "Rotated" && string.IsNullOrWhiteSpace(result.Reason))
            {
                Violate(result.Alias, $"{result.Outcome} without a reason in the {run.Label} run");
            }
            else if (result.Outcome == "Rotated" && string.IsNullOrEmpty(result.NewKeyId))
            {
                Violate(result.Alias, $"Rotated without a new key id in the {run.Label} run");
            }
            else if (healing && result.Outcome == "Failed")
            {
                Violate(result.Alias, $"failed in the {run.Label} run, with no fault left: {result.Reason}");
            }
        }
    }

    /// <summary>A run after the period's work is done moves nothing: every alias Skipped.</summary>
    public void CheckNothingMoved(SoakRun run)
    {
        CheckRun(run, healing: true);
        foreach (var result in run.Results?.Where(r => r.Outcome != "Skipped") ?? [])
        {
            Violate(result.Alias, $"{result.Outcome} by the {run.Label} run, after the period's rotation was done ({result.Reason})");
        }
    }

    /// <summary>
    /// What KMS holds: every key Enabled and none lost; each alias on an Enabled key of its spec and usage; at most one
    /// move per alias in the period (a new key or new material, never two), exactly one once <paramref name="healed"/>,
    /// with nothing left pending; the data encrypted before the soak still decrypts.
    /// </summary>
    public async Task CheckKmsAsync(bool healed, CancellationToken ct)
    {
        var view = await SoakView.ReadAsync(kms, ct);
        foreach (var key in view.Keys.Values.Where(k => k.Metadata.KeyState != KeyState.Enabled))
        {
            Violate(key.Tags.GetValueOrDefault(AliasTag) ?? "(no alias)", $"key {key.Metadata.KeyId} is {key.Metadata.KeyState}; the rotation must leave every key enabled");
        }

        await Parallel.ForEachAsync(aliases, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (alias, token) =>
        {
            if (!view.Keys.ContainsKey(alias.FirstKeyId))
            {
                Violate(alias.Alias, $"its first key {alias.FirstKeyId} is gone");
            }

            if (!view.Targets.TryGetValue(alias.Alias, out var target) || !view.Keys.TryGetValue(target, out var current))
            {
                Violate(alias.Alias, "the alias is gone, or points at no key");
                return;
            }

            var metadata = current.Metadata;
            if (metadata.KeyState != KeyState.Enabled || metadata.KeySpec != alias.Spec || metadata.KeyUsage != alias.Usage)
            {
                Violate(alias.Alias, $"points at {target}, which is {metadata.KeyState} {metadata.KeySpec} {metadata.KeyUsage}; it must be Enabled {alias.Spec} {alias.Usage}");
            }

            var created = view.Keys.Values.Where(k => k.Tags.GetValueOrDefault(AliasTag) == alias.Alias && k.Tags.ContainsKey(PreviousKeyTag)).ToList();
            // KMS rotates the material of symmetric keys only (and answers UnsupportedOperationException for others).
            var materials = alias.Spec != KeySpec.SYMMETRIC_DEFAULT ? 0 : ((await kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = alias.FirstKeyId }, token)).Rotations ?? [])
                .Count(r => r.RotationType == RotationType.ON_DEMAND);
            var moves = created.Count + materials;
            if (moves > 1)
            {
                Violate(alias.Alias, $"moved {moves} times in one period ({created.Count} new key(s), {materials} new material(s)); at most once");
            }
            else if (healed && moves == 0)
            {
                Violate(alias.Alias, "not moved, even after the healing run");
            }
            else if (moves == 1 && (created.Count == 1 ? created[0].Tags[PreviousKeyTag] != alias.FirstKeyId || (healed ? target != created[0].Metadata.KeyId : target != created[0].Metadata.KeyId && target != alias.FirstKeyId) : target != alias.FirstKeyId))
            {
                // Before healing a new key may exist with the alias still on the first one (a run cut off mid-move).
                var made = created.Count == 1 ? $"new key {created[0].Metadata.KeyId} (previous key {created[0].Tags[PreviousKeyTag]})" : $"new material in {alias.FirstKeyId}";
                Violate(alias.Alias, $"moved once ({alias.Strategy}, from {alias.FirstKeyId}: {made}), but the alias points at {target}");
            }

            if (healed && created.Any(k => k.Tags.GetValueOrDefault(StateTag) == PendingState))
            {
                Violate(alias.Alias, "a new key is still pending after the healing run");
            }

            await CheckDecryptsAsync(alias, token);
        });
    }

    /// <summary>What a run that changes nothing leaves equal: each alias's key, each key's state, material and tags.</summary>
    public async Task<string> FingerprintAsync(CancellationToken ct)
    {
        var view = await SoakView.ReadAsync(kms, ct);
        var text = new StringBuilder();
        foreach (var (alias, target) in view.Targets.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            text.Append(alias).Append(" -> ").AppendLine(target);
        }

        foreach (var key in view.Keys.Values.OrderBy(k => k.Metadata.KeyId, StringComparer.Ordinal))
        {
            text.Append(key.Metadata.KeyId).Append(' ').Append(key.Metadata.KeyState).Append(' ').Append(key.Metadata.CurrentKeyMaterialId).Append(' ')
                .AppendJoin(',', key.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key + "=" + t.Value)).AppendLine();
        }

        return text.ToString();
    }

    public void Violate(string alias, string what) => _violations.Enqueue($"seed {seed}, {alias}: {what}");

    private async Task CheckDecryptsAsync(SeededAlias alias, CancellationToken ct)
    {
        try
        {
            var request = new DecryptRequest { CiphertextBlob = new MemoryStream(alias.Ciphertext) };
            if (alias.Algorithm is { } algorithm)
            {
                request.KeyId = alias.FirstKeyId;
                request.EncryptionAlgorithm = algorithm;
            }

            var plaintext = Encoding.UTF8.GetString((await kms.DecryptAsync(request, ct)).Plaintext.ToArray());
            if (plaintext != alias.Plaintext)
            {
                Violate(alias.Alias, "data encrypted before the soak decrypts to something else");
            }
        }
        catch (AmazonKeyManagementServiceException ex)
        {
            Violate(alias.Alias, $"data encrypted before the soak no longer decrypts: {ex.ErrorCode}: {ex.Message}");
        }
    }
}
