using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.S3;
using KeyRotation.Core;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Continuation;
using KeyRotation.Core.KeyMaterial;
using KeyRotation.Core.Tagging;
using KeyRotation.Integrations.Clients;
using KeyRotation.Integrations.Composition;

namespace KeyRotation.Function;

/// <summary>
/// The Lambda entry point, <c>KeyRotation.Function::KeyRotation.Function.Handler::HandleAsync</c>: parse the event,
/// run the engine, write the response and the logs. The managed runtime calls a Stream handler without a serializer.
/// AWS clients and configuration are built once per container, in the constructor.
/// </summary>
public sealed class Handler
{
    private readonly RotationSettings? _configuration;
    private readonly ConfigurationException? _configurationError;
    private readonly RotationEngine? _engine;
    private readonly ContinuationRunner? _continuation;
    private readonly CryptoperiodCheck? _cryptoperiods;
    private readonly Core.Events.LifecycleEventPublisher? _events;
    private readonly ReportEventResponder? _report;
    private readonly IAmazonKeyManagementService? _kms;
    private readonly TimeProvider _time;
    private readonly JsonLinesLog _log;
    private readonly string? _functionName;

    /// <summary>Used by the Lambda runtime: reads the environment and builds the AWS clients.</summary>
    public Handler()
        : this(FunctionEnvironment.Read(), null, null, TimeProvider.System, RawStandardOutput())
    {
    }

    /// <summary>
    /// Composition for tests: any client left null is built from the environment as in Lambda (the tagging client
    /// only along with KMS: a test that injects KMS and reaches adoption injects <paramref name="keyFinder"/> too). With
    /// KEY_MATERIAL_ORIGIN=EXTERNAL and no <paramref name="importer"/>, the escrowing importer is built on
    /// <paramref name="kms"/> and <paramref name="s3"/> (S3 only when escrow is configured). Lifecycle events go to
    /// <paramref name="eventSink"/> when given, else where EVENT_BUS_NAME says.
    /// </summary>
    internal Handler(
        IReadOnlyDictionary<string, string> environment,
        IAmazonKeyManagementService? kms,
        IRotationNotifier? notifier,
        TimeProvider time,
        TextWriter output,
        IKeyMaterialImporter? importer = null,
        IAmazonS3? s3 = null,
        ITaggedKeyFinder? keyFinder = null,
        KmsRegionClients? regionClients = null,
        IContinuationQueue? continuationQueue = null,
        Core.Hooks.IHookFunctions? hooks = null,
        Core.Events.ILifecycleEventSink? eventSink = null)
    {
        _time = time;
        _log = new JsonLinesLog(output, time);
        // Set by Lambda itself (a reserved variable, not configuration): names the scheduled-run metric.
        _functionName = environment.TryGetValue("AWS_LAMBDA_FUNCTION_NAME", out var name) && name.Length > 0 ? name : null;
        try
        {
            _configuration = RotationSettings.Parse(environment);
        }
        catch (ConfigurationException ex)
        {
            // Reported on every invocation rather than as an init failure, so the console shows the message.
            _configurationError = ex;
            _log.Write(new RotationLogEntry(RotationLogLevel.Error, ex.Message));
            return;
        }

        try
        {
            var composition = new RotationComposition(new RotationCompositionOptions
            {
                Environment = environment,
                Quotas = _configuration.RequestQuotas,
                Time = time,
                Log = _log,
                NotificationTopicArn = _configuration.NotificationTopicArn,
                Events = _configuration.Events,
                EventSink = eventSink,
                Kms = kms,
                Notifier = notifier,
                KeyFinder = keyFinder,
                RegionClients = regionClients,
                S3 = s3,
                HookFunctions = hooks,
            });
            if (continuationQueue is null && _configuration.ContinuationQueueUrl is { } queueUrl)
            {
                continuationQueue = AwsClients.CreateContinuationQueue(environment, queueUrl);
            }
            if (importer is null && _configuration.Options.KeyMaterialOrigin == KeyMaterialOrigin.External)
            {
                var keyMaterial = KeyMaterialOptions.FromSettings(_configuration);
                importer = new EscrowedKeyMaterialImporter(composition.Kms, keyMaterial.Escrow is null ? null : composition.EscrowStore, keyMaterial, time, _log);
            }

            // The notice lists the previous key's grants: they are not carried over, and whoever relied on them must be told.
            _engine = composition.Engine(_configuration.Options with { ListPreviousKeyGrants = true }, importer);
            _kms = composition.Kms;
            _events = composition.Events;
        }
        catch (ArgumentException ex)
        {
            // A bad endpoint URL.
            _configurationError = new ConfigurationException("The configuration is invalid: " + ex.Message, ex);
            _log.Write(new RotationLogEntry(RotationLogLevel.Error, _configurationError.Message));
            return;
        }
        _continuation = new ContinuationRunner(_engine, _configuration, continuationQueue, time, _log);
        _report = new ReportEventResponder(_kms, _configuration, time, _log);
        _cryptoperiods = new CryptoperiodCheck(_kms, _configuration.Compliance, time, _log, _configuration.Options.TimeNeededPerAlias, _events);
    }

    /// <summary>
    /// Stdout itself, not Console.Out: the managed runtime wraps Console.Out and prefixes every line with a timestamp,
    /// the request id and a level, which would stop CloudWatch from reading the lines as JSON and the metrics as EMF.
    /// </summary>
    private static StreamWriter RawStandardOutput() =>
        new(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { AutoFlush = true };

    /// <summary>Handles one invocation; throws when the event or configuration is bad, or when any alias failed.</summary>
    public async Task<Stream> HandleAsync(Stream input)
    {
        var started = _time.GetUtcNow();
        if (_configurationError is not null)
        {
            throw _configurationError;
        }

        var configuration = _configuration!;
        InvocationEvent invocation;
        try
        {
            invocation = await InvocationEvent.ReadAsync(input, CancellationToken.None);
        }
        catch (InvalidEventException ex)
        {
            _log.Write(new RotationLogEntry(RotationLogLevel.Error, "Refused the event: " + ex.Message));
            throw;
        }

        if (invocation.Continuations is { } continuations)
        {
            // An SQS batch: never thrown for an alias, or SQS would deliver the whole batch again; failures are answered.
            var answer = await _continuation!.RunAsync(continuations, started, CancellationToken.None);
            return new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(answer, FunctionJsonContext.Default.BatchResponse), writable: false);
        }

        if (invocation.Kind == InvocationKind.Report)
        {
            return await _report!.AnswerAsync(invocation, CancellationToken.None);
        }

        IReadOnlyList<string> aliases;
        if (invocation.Aliases is { } named)
        {
            var unconfigured = named.Where(a => !configuration.Selection.Matches(a)).ToList();
            if (unconfigured.Count > 0)
            {
                var error = new InvalidEventException(
                    $"Not configured for rotation: {string.Join(", ", unconfigured)}. This function rotates only the aliases {SettingNames.RotationAliases} selects ({string.Join(", ", configuration.Aliases)}).");
                _log.Write(new RotationLogEntry(RotationLogLevel.Error, "Refused the event: " + error.Message));
                throw error;
            }

            aliases = named;
        }
        else
        {
            try
            {
                aliases = await configuration.Selection.ResolveAsync(_kms!, CancellationToken.None);
            }
            catch (RotationException ex)
            {
                _log.Write(new RotationLogEntry(RotationLogLevel.Error, $"Could not resolve the patterns of {SettingNames.RotationAliases}: {ex.Message}"));
                throw;
            }
        }

        var request = new RotationRequest
        {
            RotationId = NewRotationId(started),
            Aliases = aliases,
            DryRun = invocation.DryRun ?? configuration.DryRun,
            Force = invocation.Force,
            ScheduleSlot = invocation.ScheduleSlot,
            ChangeOrigin = invocation.ChangeOrigin,

            // Without FUNCTION_TIMEOUT_SECONDS the function may live up to Lambda's maximum, RunTimeout's default.
            Deadline = started + configuration.Options.RunTimeout,
        };
        _log.Write(new RotationLogEntry(
            RotationLogLevel.Information,
            string.Create(CultureInfo.InvariantCulture, $"Started a {invocation.Kind} run for {aliases.Count} alias(es){(request.DryRun ? " (dry run)" : string.Empty)}{(request.Force ? " (forced)" : string.Empty)}{(request.ScheduleSlot is { } slot ? " for slot " + RecordedTime.FormatSlot(slot) : string.Empty)}"),
            request.RotationId));

        var report = await _continuation!.HandOffAsync(request, await _engine!.RunAsync(request, CancellationToken.None), CancellationToken.None);
        var response = RotationResponse.From(report);
        var body = JsonSerializer.SerializeToUtf8Bytes(response, FunctionJsonContext.Default.RotationResponse);
        // Every scheduled run measures every configured alias, rotated or not, for the overdue metric and alarm.
        var cryptoperiods = request.ScheduleSlot is null ? null : await _cryptoperiods!.MeasureAsync(request, CancellationToken.None);
        _log.WriteMetrics(report, request.ScheduleSlot is null ? null : _functionName, cryptoperiods);
        _log.Write(new RotationLogEntry(RotationLogLevel.Information, "Finished", request.RotationId), response);

        var problems = report.Problems.ToList();
        if (problems.Count > 0)
        {
            // Lambda's error metric, retries and the alarm fire only when the invocation fails.
            throw new RotationFailedException(
                $"Rotation {report.RotationId}: {problems.Count} of {report.Results.Count} alias(es) need attention. " +
                string.Join(" ", problems.Select(p => $"{p.Alias}: {(p.Outcome == RotationOutcome.Failed ? p.Reason : p.NotificationError)}")));
        }

        return new MemoryStream(body, writable: false);
    }

    private static string NewRotationId(DateTimeOffset started) =>
        "rot-" + started.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" +
        Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
}

/// <summary>At least one alias failed, or its notification did; the message names each and why.</summary>
public sealed class RotationFailedException : Exception
{
    public RotationFailedException(string message)
        : base(message)
    {
    }

    public RotationFailedException()
    {
    }

    public RotationFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
