using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core;

/// <summary>
/// Gives a key created with Origin EXTERNAL its material (generate, escrow, import), idempotently:
/// called again for the same key after an interruption, it finishes what is missing and repeats nothing unsafe.
/// </summary>
public interface IKeyMaterialImporter
{
    /// <summary>Why keys of this spec cannot get imported material from this tool, or null when they can.</summary>
    string? Refuse(KeyMetadata currentKey);

    /// <summary>Makes sure <paramref name="newKey"/> holds imported material; returns notes for the notification.</summary>
    Task<IReadOnlyList<string>> EnsureImportedAsync(string aliasName, KeyMetadata newKey, CancellationToken cancellationToken);

    /// <summary>
    /// Why <paramref name="newKey"/> (just described, Enabled) must not become the alias target: wrong origin,
    /// expiration model or ValidTo. Null when it is ready.
    /// </summary>
    string? CheckImported(KeyMetadata newKey);

    /// <summary>What a dry run says about the import.</summary>
    string DescribePlan(string aliasName);

    /// <summary>Warnings every notification carries whatever happened (for example: escrow is disabled).</summary>
    IReadOnlyList<string> StandingWarnings { get; }
}
