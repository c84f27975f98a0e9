using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core;

/// <summary>
/// New material for a key that already has imported material (strategy material on an EXTERNAL key): generated,
/// escrowed and imported with ImportType NEW_KEY_MATERIAL, where it waits for RotateKeyOnDemand to make it current.
/// Idempotent per move: called again after an interruption, it imports at most one new material for the move.
/// </summary>
internal interface INewKeyMaterialImporter
{
    /// <summary>Makes sure the key holds new material for move <paramref name="move"/>, waiting for its rotation (PENDING_ROTATION).</summary>
    Task EnsureNewMaterialPendingAsync(string aliasName, KeyMetadata key, long move, CancellationToken cancellationToken);

    /// <summary>True when the key holds imported material waiting for a rotation (PENDING_ROTATION).</summary>
    Task<bool> HasPendingMaterialAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>The escrow object of the key's current material (as its import recorded it) and what the notification says about it.</summary>
    Task<CurrentKeyMaterial> DescribeCurrentMaterialAsync(string aliasName, KeyMetadata key, CancellationToken cancellationToken);
}

/// <summary>A key's current imported material: the escrow object holding its copy (null without escrow), and notes for the notification.</summary>
internal sealed record CurrentKeyMaterial(string? EscrowObject, IReadOnlyList<string> Notes);
