using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core;

/// <summary>
/// New material for a key that already has imported material (strategy material on an EXTERNAL key): generated,
/// escrowed and imported with ImportType NEW_KEY_MATERIAL, where it waits for RotateKeyOnDemand to make it current.
/// Idempotent per move: called again after an interruption, it imports at most one new material for the move.
/// </summary>
internal interface INewKeyMaterialImporter
{
    /// <summary>Makes sure the key holds new material for move <paramref name="move"/> waiting for rotation; notes for the notification.</summary>
    Task<IReadOnlyList<string>> EnsureNewMaterialPendingAsync(string aliasName, KeyMetadata key, long move, CancellationToken cancellationToken);

    /// <summary>True when the key holds imported material waiting for a rotation (PENDING_ROTATION).</summary>
    Task<bool> HasPendingMaterialAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>The notification's notes about the key's current material (its escrow copy) after a rotation an earlier run made.</summary>
    Task<IReadOnlyList<string>> NotesForCurrentMaterialAsync(string aliasName, KeyMetadata key, CancellationToken cancellationToken);
}
