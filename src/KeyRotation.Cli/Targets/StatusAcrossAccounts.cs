using System.Globalization;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using KeyRotation.Core;
using KeyRotation.Core.History;
using Spectre.Console;

namespace KeyRotation.Cli.Targets;

/// <summary>
/// <c>status --accounts FILE</c>: one table across every account and Region: each alias's generation, current key,
/// last rotation, and what needs attention (a rotation left unfinished, a current key that is not Enabled, an error);
/// a target that could not be reached is one row with its error.
/// </summary>
internal static class StatusAcrossAccounts
{
    public static async Task<int> RunAsync(CliContext context, IReadOnlyList<string> aliases, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(aliases);
        var connections = await MultiTargetRun.PrepareAsync(context);
        var results = await MultiTargetRun.ForEachAsync(context, connections, (connection, token) => ReadAsync(context, connection, aliases, token), ct);
        var rows = results.SelectMany(r => r.Value ?? [new StatusRow(r.Target, null, null, r.Error)]).ToList();

        if (context.Json)
        {
            context.WriteJson(new JsonObject { ["aliases"] = new JsonArray([.. rows.Select(r => (JsonNode)ToJson(r))]) });
        }
        else
        {
            TabularColumn[] columns = [new("Account"), new("Region"), new("Alias"), new("Generation"), new("Key id"), new("Last rotation"), new("Attention", Wraps: true)];
            Tabular.Write(context, columns, [.. rows.Select(Cells)]);
            if (context.Format == OutputFormat.Table)
            {
                var problems = rows.Count(r => Attention(r) is not null);
                context.Console.WriteLine($"{connections.Count} account/Region target(s), {rows.Count(r => r.Status is not null)} alias(es) read; {problems} need attention.");
            }
        }

        return rows.Any(r => r.Error is not null) ? ExitCodes.Failed : ExitCodes.Success;
    }

    private static async Task<IReadOnlyList<StatusRow>> ReadAsync(CliContext context, TargetConnection connection, IReadOnlyList<string> aliases, CancellationToken ct)
    {
        var history = new AliasHistory(connection.Kms);
        var rows = new List<StatusRow>();
        foreach (var alias in aliases)
        {
            try
            {
                var status = await context.WaitAsync($"Reading {alias} in {connection.Target}", () => history.GetAsync(alias, ct));
                rows.Add(new StatusRow(connection.Target, alias, status, null));
            }
            catch (Exception ex) when (ex is RotationException or AmazonServiceException)
            {
                // One alias that cannot be read (missing here, or denied) is that alias's row; the others are still read.
                rows.Add(new StatusRow(connection.Target, alias, null, ex is AmazonServiceException service ? $"{service.ErrorCode}: {service.Message}" : ex.Message));
            }
        }

        return rows;
    }

    private static IReadOnlyList<TabularCell> Cells(StatusRow row) =>
    [
        row.Target.AccountId,
        row.Target.Region,
        row.Alias ?? "-",
        row.Status?.Current.Generation.ToString(CultureInfo.InvariantCulture) ?? "-",
        row.Status?.Current.KeyId ?? "-",
        row.Status is { } status ? LastRotation(status) : "-",
        Attention(row) is { } attention ? new TabularCell(attention, row.Error is not null ? "red" : "yellow") : "-",
    ];

    /// <summary>When the alias last moved to a new generation (or was rolled back), or "never" when this tool has not moved it.</summary>
    private static string LastRotation(AliasStatus status) =>
        !status.RotatedByTool ? "never"
        : status.Current.RestoredAt is { } restored ? $"{restored} (rolled back)"
        : status.Current.CreatedAt is { } created ? RecordedTime.Format(created)
        : "-";

    /// <summary>What someone should look at: the error, a rotation left unfinished, a current key that is not Enabled.</summary>
    private static string? Attention(StatusRow row) =>
        row.Error
        ?? (row.Status?.InProgress is { } progress ? $"in progress: {progress}" : null)
        ?? (row.Status is { Current: { } current } && (current.Missing || current.KeyState != "Enabled") ? $"current key is {(current.Missing ? "not found" : current.KeyState ?? "unreadable")}" : null);

    private static JsonObject ToJson(StatusRow row) => new()
    {
        ["account"] = row.Target.AccountId,
        ["region"] = row.Target.Region,
        ["alias"] = row.Alias,
        ["generation"] = row.Status?.Current.Generation,
        ["keyId"] = row.Status?.Current.KeyId,
        ["keyState"] = row.Status is { Current: { } current } ? (current.Missing ? "NotFound" : current.KeyState) : null,
        ["rotatedByTool"] = row.Status?.RotatedByTool,
        ["lastRotation"] = row.Status is { } status ? LastRotation(status) : null,
        ["inProgress"] = row.Status?.InProgress,
        ["error"] = row.Error,
    };

    private sealed record StatusRow(AccountTarget Target, string? Alias, AliasStatus? Status, string? Error);
}
