using System.CommandLine;
using System.Globalization;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms;

/// <summary>
/// The standalone LocalKms: parses the command line, loads the --data file, listens on 127.0.0.1 until cancelled and
/// saves the state after every request. Exit codes: 0 stopped, 2 bad usage, a busy port or an unusable data file.
/// </summary>
internal static class LocalKmsHost
{
    /// <summary>Not LocalStack's 4566, so both can run side by side.</summary>
    public const int DefaultPort = 4599;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken stop, Action<LocalKmsServer>? started = null)
    {
        var port = new Option<int>("--port") { Description = $"Port on 127.0.0.1; 0 picks a free one and prints it (default {DefaultPort}).", DefaultValueFactory = _ => DefaultPort };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 65535)
            {
                r.AddError("--port must be 0 (any free port) or 1 to 65535.");
            }
        });
        var region = new Option<string>("--region") { Description = "Region in key ARNs.", DefaultValueFactory = _ => "us-east-1" };
        var account = new Option<string>("--account-id") { Description = "Account id in key ARNs (12 digits).", DefaultValueFactory = _ => "111122223333" };
        account.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is not { Length: 12 } id || !id.All(char.IsAsciiDigit))
            {
                r.AddError("--account-id must be 12 digits.");
            }
        });
        var data = new Option<FileInfo?>("--data") { Description = "Keep keys and aliases in this file: loaded at start, saved after every change (default: memory only).", HelpName = "FILE" };
        var quotas = new Option<string?>("--quotas")
        {
            Description = "Throttle like KMS: alone or 'default', KMS's default request quotas; Operation=rate,... per second replaces those rates (the rest keep their defaults).",
            HelpName = "default|Op=rate,...",
            Arity = ArgumentArity.ZeroOrOne,
        };
        quotas.Validators.Add(r =>
        {
            if (QuotaProblem(r.GetValueOrDefault<string?>()) is { } problem)
            {
                r.AddError(problem);
            }
        });
        var latency = new Option<int>("--latency-ms") { Description = "Delay added to every call, in milliseconds (default 0).", HelpName = "N" };
        latency.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 600_000)
            {
                r.AddError("--latency-ms must be a whole number of milliseconds from 0 to 600000.");
            }
        });
        var trackingStart = new Option<string?>("--tracking-start-date")
        {
            Description = "From when GetKeyLastUsage records key use, as an ISO 8601 date or UTC time (default 2026-04-27, the day KMS released it); a key created earlier answers this date as its TrackingStartDate.",
            HelpName = "DATE",
        };
        trackingStart.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } text && TrackingStartDateOf(text) is null)
            {
                r.AddError($"--tracking-start-date: '{text}' is not an ISO 8601 date or time such as 2026-04-27 or 2026-04-27T12:00:00Z.");
            }
        });
        var root = new RootCommand("LocalKms: a KMS-compatible endpoint on 127.0.0.1 for the AWS CLI, boto3 or any SDK (any credentials work).")
        {
            port, region, account, data, quotas, latency, trackingStart,
        };
        root.SetAction(async (parsed, ct) =>
        {
            var options = new LocalKmsOptions
            {
                Region = parsed.GetValue(region)!,
                AccountId = parsed.GetValue(account)!,
                EnforceQuotas = parsed.GetResult(quotas) is not null,
                QuotaOverrides = QuotaOverrides(parsed.GetValue(quotas)),
                Latency = TimeSpan.FromMilliseconds(parsed.GetValue(latency)),
                TrackingStartDate = parsed.GetValue(trackingStart) is { } start ? TrackingStartDateOf(start) : null,
            };
            var service = new LocalKmsService(options);
            var file = parsed.GetValue(data) is { } path ? new LocalKmsStateFile(path.FullName) : null;
            try
            {
                file?.LoadInto(service);
            }
            catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
            {
                await stderr.WriteLineAsync($"Cannot use --data: {ex.Message}");
                return 2;
            }

            LocalKmsServer server;
            try
            {
                server = LocalKmsServer.Start(service, parsed.GetValue(port), file is null ? null : () => file.Save(service));
            }
            catch (LocalKmsPortInUseException ex)
            {
                await stderr.WriteLineAsync(ex.Message);
                return 2;
            }

            await using (server)
            {
                var persisted = file is null ? "state in memory" : $"state in {file.Path}";
                await stdout.WriteLineAsync($"LocalKms listening on {server.Url} (region {options.Region}, account {options.AccountId}, {persisted}). Ctrl+C to stop.");
                await stdout.FlushAsync(ct);
                started?.Invoke(server);
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C or SIGTERM: fall through to stop the server.
                }
            }

            await stdout.WriteLineAsync("LocalKms stopped.");
            return 0;
        });

        var result = root.Parse(args);
        if (result.Action is System.CommandLine.Invocation.ParseErrorAction onError)
        {
            onError.ShowHelp = false; // the errors and their typo corrections, not a screen of help
        }

        var exit = await result.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }, stop);
        return result.Errors.Count > 0 ? 2 : exit;
    }

    /// <summary>An ISO 8601 date or time (UTC unless it names an offset), or null when <paramref name="text"/> is not one.</summary>
    internal static DateTimeOffset? TrackingStartDateOf(string text) =>
        DateTimeOffset.TryParseExact(
            text,
            ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm"],
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out var at)
            ? at
            : null;

    /// <summary>Why a --quotas value is not usable, or null when it is.</summary>
    internal static string? QuotaProblem(string? text)
    {
        if (text is null or "default")
        {
            return null;
        }

        foreach (var entry in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var rate) || rate <= 0)
            {
                return $"--quotas: '{entry}' is not Operation=rate with a rate above 0 (for example CreateKey=5); or pass --quotas default.";
            }

            if (!KnownOperations.Contains(parts[0]))
            {
                return $"--quotas: '{parts[0]}' is not a KMS operation (for example CreateKey, UpdateAlias, or {RequestQuotas.CryptographicGroup}).";
            }
        }

        return null;
    }

    private static Dictionary<string, double> QuotaOverrides(string? text) =>
        text is null or "default"
            ? []
            : text.Split(',', StringSplitOptions.TrimEntries)
                .Select(entry => entry.Split('=', 2, StringSplitOptions.TrimEntries))
                .ToDictionary(parts => parts[0], parts => double.Parse(parts[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);

    /// <summary>KMS's operations, as the SDK names them (one request type each), and the shared cryptographic quota.</summary>
    private static readonly HashSet<string> KnownOperations =
    [
        .. typeof(CreateKeyRequest).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(CreateKeyRequest).Namespace && t.Name.EndsWith("Request", StringComparison.Ordinal) && t.IsSubclassOf(typeof(Amazon.Runtime.AmazonWebServiceRequest)))
            .Select(t => t.Name[..^"Request".Length]),
        RequestQuotas.CryptographicGroup,
    ];
}
