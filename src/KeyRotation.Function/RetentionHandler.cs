using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.S3;
using KeyRotation.Core;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Pacing;
using KeyRotation.Core.Retention;
using KeyRotation.Integrations.Composition;

namespace KeyRotation.Function;

/// <summary>
/// The retention function's entry point, <c>KeyRotation.Function::KeyRotation.Function.RetentionHandler::HandleAsync</c>:
/// on its schedule (or a manual event) it disables and deletes retired generations as RETENTION_MODE allows; on a
/// CloudTrail event of a failed use of a key it retired, it enables that key again. Same composition as
/// <see cref="Handler"/>: clients and configuration once per container, JSON log lines on stdout.
/// </summary>
public sealed class RetentionHandler
{
    private readonly RetentionSettings? _settings;
    private readonly ConfigurationException? _configurationError;
    private readonly RetentionRunner? _runner;
    private readonly IAmazonKeyManagementService? _kms;
    private readonly TimeProvider _time;
    private readonly JsonLinesLog _log;
    private readonly Func<RetentionReportResponder>? _reportResponder;
    private RetentionReportResponder? _report;

    /// <summary>Used by the Lambda runtime: reads the environment and builds the AWS clients.</summary>
    public RetentionHandler()
        : this(FunctionEnvironment.Read(), null, null, TimeProvider.System, new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false)) { AutoFlush = true })
    {
    }

    /// <summary>Composition for tests: a client left null is built from the environment as in Lambda.</summary>
    /// <param name="consumerClients">With RETIRE_CHECK_CONSUMERS: the consumer services' clients (tests' local endpoints), scanned unpaced; null: built from the environment.</param>
    internal RetentionHandler(IReadOnlyDictionary<string, string> environment, IAmazonKeyManagementService? kms, IRotationNotifier? notifier, TimeProvider time, TextWriter output, IAmazonS3? s3 = null, KmsRegionClients? regionClients = null, Core.Events.ILifecycleEventSink? eventSink = null, Integrations.Consumers.ConsumerClients? consumerClients = null)
    {
        _time = time;
        _log = new JsonLinesLog(output, time);
        try
        {
            _settings = RetentionSettings.Parse(environment);
            // Paced at KMS's default quotas (a raised quota only makes them conservative), as every client of this tool is.
            var composition = new RotationComposition(new RotationCompositionOptions
            {
                Environment = environment,
                Quotas = KmsRequestQuotas.Default,
                Time = time,
                Log = _log,
                NotificationTopicArn = _settings.NotificationTopicArn,
                Events = _settings.Events,
                EventSink = eventSink,
                Kms = kms,
                Notifier = notifier,
                S3 = s3,
                RegionClients = regionClients,
                ConsumerClients = consumerClients,
                ConsumerPacer = consumerClients is null ? null : Core.Consumers.ConsumerRequestPacer.Unpaced(),
            });
            _kms = composition.Kms;
            _runner = composition.Retention(_settings, _settings.Escrow is null ? null : composition.EscrowStore);
            if (_settings.CheckConsumers)
            {
                // The report event counts each generation's consumers; its cryptoperiods are the rotation function's.
                // Those settings (MAX_KEY_AGE_DAYS, ROTATION_SCHEDULE) are read only when a report event arrives: a
                // malformed one fails that event, naming it, and never an ordinary retention run.
                var kmsForReport = _kms;
                var settingsForReport = _settings;
                var sources = composition.ConsumerSources;
                _reportResponder = () => new RetentionReportResponder(kmsForReport, settingsForReport, Core.Compliance.ComplianceSettings.Parse(environment), sources, time, _log);
            }
        }
        catch (ConfigurationException ex)
        {
            _configurationError = ex;
        }
        catch (ArgumentException ex)
        {
            // A bad endpoint URL.
            _configurationError = new ConfigurationException("The configuration is invalid: " + ex.Message, ex);
        }

        if (_configurationError is not null)
        {
            _log.Write(new RotationLogEntry(RotationLogLevel.Error, _configurationError.Message));
        }
    }

    /// <summary>Handles one invocation; throws when the event or configuration is bad, or when any step failed.</summary>
    public async Task<Stream> HandleAsync(Stream input)
    {
        if (_configurationError is not null)
        {
            throw _configurationError;
        }

        var settings = _settings!;
        RetentionEvent invocation;
        try
        {
            invocation = await RetentionEvent.ReadAsync(input, CancellationToken.None);
        }
        catch (InvalidEventException ex)
        {
            _log.Write(new RotationLogEntry(RotationLogLevel.Error, "Refused the event: " + ex.Message));
            throw;
        }

        var runId = "ret-" + _time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        RetentionReport report;
        if (invocation.AttemptedUse is { } use)
        {
            _log.Write(new RotationLogEntry(RotationLogLevel.Warning, $"Attempted use of {use.Key}: {use.UsedBy} called {use.EventName} and got {use.ErrorCode}", runId, KeyId: use.Key));
            report = await _runner!.HandleAttemptedUseAsync(runId, use, CancellationToken.None);
        }
        else if (invocation.Run is { Kind: InvocationKind.Report } reportEvent)
        {
            if (_reportResponder is null)
            {
                var error = new InvalidEventException($"The report event goes to the rotation function; the retention function answers it only with {SettingNames.RetireCheckConsumers} on (its report also counts each generation's consumers).");
                _log.Write(new RotationLogEntry(RotationLogLevel.Error, "Refused the event: " + error.Message));
                throw error;
            }

            try
            {
                _report ??= _reportResponder();
            }
            catch (ConfigurationException ex)
            {
                _log.Write(new RotationLogEntry(RotationLogLevel.Error, "Refused the report event: " + ex.Message));
                throw;
            }

            return await _report.AnswerAsync(reportEvent, CancellationToken.None);
        }
        else
        {
            var run = invocation.Run!;
            // Prefix patterns are resolved with one paged ListAliases, as the rotation function does.
            var aliases = run.Aliases ?? await settings.Selection.ResolveAsync(_kms!, CancellationToken.None);
            var unconfigured = aliases.Where(a => !settings.Selection.Matches(a)).ToList();
            if (unconfigured.Count > 0)
            {
                var error = new InvalidEventException($"Not configured: {string.Join(", ", unconfigured)}. Retention handles only the aliases in {SettingNames.RotationAliases} ({string.Join(", ", settings.Aliases)}).");
                _log.Write(new RotationLogEntry(RotationLogLevel.Error, "Refused the event: " + error.Message));
                throw error;
            }

            _log.Write(new RotationLogEntry(RotationLogLevel.Information, $"Started a {run.Kind} retention run ({settings.Mode}) for {aliases.Count} alias(es){(run.DryRun == true ? " (dry run)" : string.Empty)}", runId));
            report = await _runner!.RunAsync(runId, aliases, run.DryRun ?? false, CancellationToken.None);
        }

        var response = RetentionResponse.From(report, RetentionSettings.ModeValue(settings.Mode));
        var body = JsonSerializer.SerializeToUtf8Bytes(response, RetentionJsonContext.Default.RetentionResponse);
        var acted = response.Actions.Where(a => a.Outcome != RetentionOutcome.Failed).Select(a => $"{a.Action} {a.MarkerAlias ?? a.KeyId}").ToList();
        _log.Write(new RotationLogEntry(RotationLogLevel.Information, $"Finished: {(acted.Count == 0 ? "nothing changed" : string.Join(", ", acted))}", runId));
        if (settings.Events.Enabled)
        {
            _log.WriteEventMetrics(runId, report.EventError is null ? 0 : 1);
        }

        var failed = report.Failed.ToList();
        if (failed.Count > 0 || report.NotificationError is not null)
        {
            throw new RotationFailedException(
                $"Retention {runId}: " + string.Join(" ", failed.Select(f => f.Step.KeyId.Length == 0 ? $"{f.Step.Alias}: {f.Error}" : $"{f.Step.Action} {f.Step.KeyId} ({f.Step.Alias}) failed: {f.Error}")) +
                (report.NotificationError is { } n ? " " + n : string.Empty));
        }

        return new MemoryStream(body, writable: false);
    }
}
