using System.CommandLine;
using Amazon.KeyManagementService;
using KeyRotation.Core.Compliance;
using KeyRotation.Integrations.Consumers;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// <c>report --consumers</c>: each generation also shows how many resources of the account and Region reference it
/// (the consumer inventory of <c>consumers</c>, with the operator's credentials, S3 objects left out), and the resources
/// that could not be checked.
/// </summary>
internal static class ReportConsumersOption
{
    public static Option<bool> Create() => new("--consumers")
    {
        Description = "Also count each generation's consumers: the S3 buckets, DynamoDB tables, SSM SecureString parameters, EBS volumes and snapshots of this account and Region that reference it (as the consumers command finds them).",
    };

    /// <summary>--consumers scans one account and Region with the caller's own clients: with --accounts it is bad usage.</summary>
    public static void RefuseAcrossAccounts(ParseResult parsed, Option<bool> option)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        if (parsed.GetValue(option))
        {
            throw new UsageException("--consumers counts the consumers of one account and Region; run it per account (keyrotation consumers ALIAS --accounts FILE lists them across accounts).");
        }
    }

    /// <summary>The report with each generation's consumers when --consumers was given; otherwise as it is.</summary>
    public static async Task<ComplianceReport> AddIfAskedAsync(CliContext context, ParseResult parsed, Option<bool> option, IAmazonKeyManagementService kms, ComplianceReport report, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(parsed);
        if (!parsed.GetValue(option))
        {
            return report;
        }

        ConsumerClients clients;
        try
        {
            clients = await context.ConsumerClientsAsync();
        }
        catch (ArgumentException ex)
        {
            // A malformed AWS_ENDPOINT_URL_<SERVICE>: bad input, named.
            throw new UsageException(ex.Message, ex);
        }

        using (clients)
        using (var pacer = context.ConsumerPacer())
        {
            var sources = ConsumerComposition.Sources(clients, new ConsumerScanOptions(), pacer);
            return await context.WaitAsync("Looking for the resources that use each generation", () => ReportConsumers.AddAsync(report, kms, sources, ct));
        }
    }
}
