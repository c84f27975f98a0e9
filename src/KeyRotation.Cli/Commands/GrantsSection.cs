using System.Text.Json.Nodes;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using KeyRotation.Core;
using KeyRotation.Core.Grants;
using Spectre.Console;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// plan's list of the grants on each alias's current key: a rotation does not carry them over to the new key, so
/// operators see beforehand what consumers will need recreated.
/// </summary>
internal static class GrantsSection
{
    /// <summary>The grants of each planned alias's current key; an alias whose grants cannot be read gets a warning on stderr.</summary>
    public static async Task<Dictionary<string, IReadOnlyList<KeyGrant>>> ReadAsync(CliContext context, IAmazonKeyManagementService kms, RotationReport report, CancellationToken ct)
    {
        var reader = new KeyGrantsReader(kms);
        var grants = new Dictionary<string, IReadOnlyList<KeyGrant>>(StringComparer.Ordinal);
        foreach (var result in report.Results.Where(r => r.Outcome == RotationOutcome.Planned && r.PreviousKeyId is not null))
        {
            try
            {
                grants[result.Alias] = await reader.ListAsync(result.PreviousKeyId!, ct);
            }
            catch (AmazonServiceException ex)
            {
                context.Error($"warning: {result.Alias}: the grants on {result.PreviousKeyId} could not be listed ({ex.ErrorCode ?? ex.GetType().Name}: {ex.Message}).");
            }
        }

        return grants;
    }

    public static void AddToJson(JsonObject document, IReadOnlyDictionary<string, IReadOnlyList<KeyGrant>> grants)
    {
        foreach (var result in document["results"]!.AsArray().OfType<JsonObject>())
        {
            if (grants.TryGetValue((string)result["alias"]!, out var list))
            {
                result["grants"] = new JsonArray([.. list.Select(g => (JsonNode)new JsonObject
                {
                    ["grantId"] = g.GrantId,
                    ["name"] = g.Name,
                    ["granteePrincipal"] = g.GranteePrincipal,
                    ["retiringPrincipal"] = g.RetiringPrincipal,
                    ["operations"] = new JsonArray([.. g.Operations.Select(o => (JsonNode)o)]),
                    ["constraints"] = g.Constraints,
                })]);
            }
        }
    }

    public static void Write(CliContext context, RotationReport report, IReadOnlyDictionary<string, IReadOnlyList<KeyGrant>> grants)
    {
        var rows = report.Results
            .Where(r => grants.ContainsKey(r.Alias))
            .SelectMany(r => grants[r.Alias].Select(g => (IReadOnlyList<TabularCell>)
            [
                r.Alias,
                r.PreviousKeyId!,
                g.GrantId,
                g.GranteePrincipal ?? "-",
                string.Join(",", g.Operations),
                g.Constraints ?? "-",
            ]))
            .ToList();
        if (context.Format == OutputFormat.Text)
        {
            foreach (var row in rows)
            {
                context.Stdout.WriteLine("GRANT\t" + string.Join('\t', row.Select(c => c.Text)));
            }

            return;
        }

        context.Console.WriteLine();
        if (rows.Count == 0)
        {
            context.Console.WriteLine(grants.Count == 0 ? "Grants: nothing planned, nothing to list." : "Grants: none on the current keys (a rotation never carries grants over).");
            return;
        }

        context.Console.WriteLine("Grants on the current keys. A rotation does not carry them over: recreate on the new keys what consumers still need.");
        Tabular.Write(context, [new("Alias"), new("Key id"), new("Grant id"), new("Grantee"), new("Operations", Wraps: true), new("Constraints", Wraps: true)], rows);
    }
}
