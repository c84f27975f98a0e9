using System.CommandLine;
using Amazon.KeyManagementService;
using KeyRotation.Core.Consumers;
using KeyRotation.Core.Protocol;
using KeyRotation.Integrations.Consumers;

namespace KeyRotation.Cli.Commands;

/// <summary>What <c>consumers</c> and <c>migrate</c> share: the --bucket and --prefix options, and one scan of one account and Region.</summary>
internal static class ConsumerScan
{
    public static Option<string?> BucketOption() => new("--bucket")
    {
        Description = "Also check the S3 objects of this bucket (HeadObject each; objects are many, so only when asked).",
        HelpName = "NAME",
    };

    public static Option<string?> PrefixOption() => new("--prefix")
    {
        Description = "With --bucket: only the objects whose keys start with this prefix.",
        HelpName = "P",
    };

    /// <summary>The scan options of the command line; a prefix without a bucket is bad usage (exit 2), before anything is called.</summary>
    public static ConsumerScanOptions OptionsOf(ParseResult parsed, Option<string?> bucket, Option<string?> prefix)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        var options = new ConsumerScanOptions(parsed.GetValue(bucket), parsed.GetValue(prefix));
        return options.Problem() is { } problem ? throw new UsageException(problem) : options;
    }

    /// <summary>
    /// Reads the alias's generations (the one chain reader), then runs every source of <see cref="ConsumerComposition"/>;
    /// <paramref name="snapshot"/> (one ListAliases) lets a reference to another alias of the account count when that
    /// alias points at a generation. Long scans report progress on stderr.
    /// </summary>
    public static async Task<ConsumerReport> RunAsync(CliContext context, IAmazonKeyManagementService kms, AliasSnapshot snapshot, string alias, ConsumerClients clients, ConsumerScanOptions options, ConsumerRequestPacer pacer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(snapshot);
        var generations = await context.WaitAsync($"Reading the generations of {alias}", () => AliasGenerations.ReadAsync(kms, alias, ct));
        var matcher = new KeyReferenceMatcher(generations, snapshot.Names.ToDictionary(n => n, snapshot.TargetOf, StringComparer.Ordinal));
        var inventory = new ConsumerInventory(ConsumerComposition.Sources(clients, options, pacer), line => context.Error($"Scanning: {line}"));
        try
        {
            return await context.WaitAsync($"Looking for the resources that use {alias}", () => inventory.ScanAsync(matcher, generations, ct));
        }
        catch (ConsumerScopeNotFoundException ex)
        {
            // --bucket or --prefix names nothing: bad input (exit 2), found before anything was changed.
            throw new UsageException(ex.Message, ex);
        }
    }
}
