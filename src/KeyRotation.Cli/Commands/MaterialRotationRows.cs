using System.Globalization;
using KeyRotation.Core;
using KeyRotation.Core.History;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// The status rows for the new key materials KMS gave one key in place (same key id): by default one row with how
/// many and the first and last date, since a key rotated 23 times with the material strategy would otherwise fill the
/// screen with identical rows; with --all one row per rotation, newest first. JSON always lists every rotation.
/// </summary>
internal static class MaterialRotationRows
{
    public static System.CommandLine.Option<bool> AllOption() => new("--all")
    {
        Description = "Show every new-material rotation of a key on its own row (default: one row per key with the count and the first and last date).",
    };

    public static IEnumerable<IReadOnlyList<TabularCell>> For(CliContext context, string alias, KeyGeneration key, bool all)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(key);
        var generation = key.Generation.ToString(CultureInfo.InvariantCulture);
        var rotations = key.MaterialRotations;
        if (all || rotations.Count <= 1)
        {
            foreach (var material in rotations)
            {
                var id = context.Format == OutputFormat.Text || material.KeyMaterialId.Length <= 16 ? material.KeyMaterialId : material.KeyMaterialId[..16] + "…";
                yield return [alias, Role(material.RotationType), generation, key.KeyId, "material " + id, "-", RecordedTime.Format(material.RotatedAt), "-"];
            }

            yield break;
        }

        var types = rotations.Select(r => r.RotationType).Distinct(StringComparer.Ordinal).ToList();
        var role = types.Count == 1 ? Role(types[0]) : "new material (on demand and automatic)";
        var first = rotations.Min(r => r.RotatedAt);
        var last = rotations.Max(r => r.RotatedAt);
        yield return [alias, role, generation, key.KeyId, $"{rotations.Count} materials (--all lists them)", "-", $"{RecordedTime.Format(first)} to {RecordedTime.Format(last)}", "-"];
    }

    private static string Role(string rotationType) => rotationType == "AUTOMATIC" ? "new material (automatic)" : "new material (on demand)";
}
