using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core;
using KeyRotation.Core.History;
using KeyRotation.Core.Protocol;
using KeyRotation.LocalKms;

namespace KeyRotation.IntegrationTests.Interleaving;

/// <summary>
/// The rotation protocol's invariants, written once for every strategy: <see cref="CheckStep"/> after every KMS call of
/// every explored schedule, <see cref="CheckEndAsync"/> once all actors are done, <see cref="CheckOneMoveAsync"/> when
/// the actors raced over one move. A move is a new generation (a new key behind the alias) or a new material (the same
/// key rotated on demand). Each failure names the schedule that broke it.
/// </summary>
internal static class ProtocolInvariants
{
    /// <summary>
    /// The alias always points at an Enabled key of the alias's spec and usage; with <paramref name="keyThatStays"/>
    /// (a strategy that rotates the material), always at that key.
    /// </summary>
    public static void CheckStep(LocalKmsService kms, string alias, string keySpec, string keyUsage, string schedule, string? keyThatStays = null)
    {
        var target = kms.GetKeySnapshot(alias) ?? throw new Xunit.Sdk.XunitException($"{alias} disappeared; schedule {schedule}");
        Assert.True(
            (target.KeyState, target.KeySpec, target.KeyUsage) == ("Enabled", keySpec, keyUsage),
            $"{alias} points at {target.KeyId} ({target.KeyState}, {target.KeySpec}, {target.KeyUsage}); schedule {schedule}");
        Assert.True(keyThatStays is null || target.KeyId == keyThatStays, $"{alias} moved from {keyThatStays} to {target.KeyId}, but a material move keeps the key; schedule {schedule}");
    }

    /// <summary>
    /// The actors raced over one move: exactly one new generation or exactly one new material (never both, never two),
    /// one run reports Rotated to the alias's key and every other skips, the move is recorded (sequence 1, active), one
    /// notification.
    /// </summary>
    public static async Task CheckOneMoveAsync(LocalKmsService kms, string alias, IReadOnlyList<AliasRotationResult> rotations, int notices, string schedule)
    {
        ArgumentNullException.ThrowIfNull(kms);
        var generations = kms.ListKeySnapshots().Count(k => k.Tags.GetValueOrDefault(RotationTags.Alias) == alias && k.Tags.ContainsKey(RotationTags.PreviousKey));
        var materials = await NewMaterialsAsync(kms);
        Assert.True((generations, materials) is (1, 0) or (0, 1), $"{generations} new keys and {materials} new materials for one move; schedule {schedule}");
        var outcomes = string.Join(" | ", rotations.Select(r => r.Outcome + ": " + r.Reason));
        var rotated = rotations.Where(r => r.Outcome == RotationOutcome.Rotated).ToList();
        Assert.True(rotated.Count == 1 && rotations.All(r => r.Outcome is RotationOutcome.Rotated or RotationOutcome.Skipped), $"schedule {schedule}: {outcomes}");
        var current = kms.GetKeySnapshot(alias)!;
        Assert.True(rotated[0].NewKeyId == current.KeyId, $"{rotated[0].NewKeyId} reported, {alias} points at {current.KeyId}; schedule {schedule}");
        Assert.True(rotated[0].Method == (materials == 1 ? RotationMethod.Material : RotationMethod.NewKey), $"{rotated[0].Method} reported for {generations} new keys and {materials} new materials; schedule {schedule}");
        Assert.True(
            (current.Tags.GetValueOrDefault(RotationTags.Sequence), current.Tags.GetValueOrDefault(RotationTags.State)) == ("1", RotationTags.KeyStates.Active),
            $"{current.KeyId} is tagged move {current.Tags.GetValueOrDefault(RotationTags.Sequence)}, {current.Tags.GetValueOrDefault(RotationTags.State)}; schedule {schedule}");
        Assert.True(notices == 1, $"{notices} notifications; schedule {schedule}");
    }

    public static async Task CheckEndAsync(LocalKmsService kms, string alias, IReadOnlyList<AliasRotationResult> rotations, IReadOnlyList<RollbackResult> rollbacks, int notices, string schedule)
    {
        var keys = kms.ListKeySnapshots().ToDictionary(k => k.KeyId, StringComparer.Ordinal);
        var created = keys.Values.Where(k => k.Tags.GetValueOrDefault(RotationTags.Alias) == alias && k.Tags.ContainsKey(RotationTags.PreviousKey)).ToList();

        // At most one new key per move, none orphaned: every key this tool created is anchored by its move's marker (which
        // points at the key's previous key, or, for a rollback's restored key, at the key), and the alias points at it or
        // it was retired naming its successor.
        var current = kms.GetKeySnapshot(alias)!;
        foreach (var key in created)
        {
            var marker = MarkerNames.Marker(alias, long.Parse(key.Tags[RotationTags.Sequence], System.Globalization.CultureInfo.InvariantCulture));
            var anchored = key.Aliases.Contains(marker) || (keys.TryGetValue(key.Tags[RotationTags.PreviousKey], out var previousKey) && previousKey.Aliases.Contains(marker));
            Assert.True(anchored, $"Key {key.KeyId} (move {key.Tags[RotationTags.Sequence]}): {marker} points at neither it nor its previous key; schedule {schedule}");
            Assert.True(
                key.KeyId == current.KeyId || key.Tags.GetValueOrDefault(RotationTags.State) == RotationTags.KeyStates.Retired,
                $"Key {key.KeyId} (move {key.Tags[RotationTags.Sequence]}) is neither {alias}'s key nor retired: an orphan; schedule {schedule}");
        }

        var moves = created.Select(k => k.Tags[RotationTags.Sequence]).ToList();
        Assert.True(moves.Count == moves.Distinct(StringComparer.Ordinal).Count(), $"Two keys for one move ({string.Join(", ", moves)}); schedule {schedule}");

        // Nothing left half done: the alias's key is active (or untouched), never pending or restoring.
        var state = current.Tags.GetValueOrDefault(RotationTags.State);
        Assert.True(state is null or RotationTags.KeyStates.Active, $"{alias}'s key {current.KeyId} is left {state}; schedule {schedule}");

        // Chain tags agree both ways.
        if (state == RotationTags.KeyStates.Active && current.Tags.GetValueOrDefault(RotationTags.PreviousKey) is { } previous && current.Tags.GetValueOrDefault(RotationTags.RestoredFrom) is null)
        {
            var before = keys[previous];
            Assert.True(
                (before.Tags.GetValueOrDefault(RotationTags.State), before.Tags.GetValueOrDefault(RotationTags.SuccessorKey)) == (RotationTags.KeyStates.Retired, current.KeyId),
                $"{previous} precedes {current.KeyId}, but is tagged {before.Tags.GetValueOrDefault(RotationTags.State)} with successor {before.Tags.GetValueOrDefault(RotationTags.SuccessorKey)}; schedule {schedule}");
        }

        foreach (var key in keys.Values.Where(k => k.Tags.ContainsKey(RotationTags.SuccessorKey)))
        {
            var successor = keys[key.Tags[RotationTags.SuccessorKey]];
            Assert.True(
                successor.Tags.GetValueOrDefault(RotationTags.PreviousKey) == key.KeyId || successor.Tags.GetValueOrDefault(RotationTags.RestoredFrom) == key.KeyId,
                $"{key.KeyId} names {successor.KeyId} as successor, which names neither it as previous key nor as restored-from; schedule {schedule}");
        }

        // At most one run reports Rotated per move; nobody fails for losing a race; every report was notified once.
        var rotated = rotations.Where(r => r.Outcome == RotationOutcome.Rotated).ToList();
        Assert.True(rotated.Count == rotated.Select(r => r.NewKeyId).Distinct(StringComparer.Ordinal).Count(), $"Two runs reported Rotated to the same key; schedule {schedule}");
        var materials = await NewMaterialsAsync(kms);
        Assert.True(rotated.Count <= created.Count + materials, $"{rotated.Count} runs reported Rotated, {created.Count} keys were created and {materials} materials rotated; schedule {schedule}");
        Assert.True(rotations.All(r => r.Outcome != RotationOutcome.Failed), $"A run failed: {rotations.FirstOrDefault(r => r.Outcome == RotationOutcome.Failed)?.Reason}; schedule {schedule}");
        Assert.True(rotated.All(r => r.NotificationError is null), $"schedule {schedule}");
        var rolledBack = rollbacks.Count(r => r.Outcome == RollbackOutcome.RolledBack);
        Assert.True(notices == rotated.Count + rolledBack, $"{notices} notifications for {rotated.Count} rotations and {rolledBack} rollbacks; schedule {schedule}");
    }

    /// <summary>On-demand rotations of every key (the world starts with none): each is one new material.</summary>
    private static async Task<int> NewMaterialsAsync(LocalKmsService kms)
    {
        using var client = kms.CreateClient();
        var count = 0;
        foreach (var key in kms.ListKeySnapshots().Where(k => (k.KeySpec, k.KeyUsage) == ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")))
        {
            var rotations = (await client.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId })).Rotations ?? [];
            count += rotations.Count(r => r.RotationType == RotationType.ON_DEMAND);
        }

        return count;
    }
}
