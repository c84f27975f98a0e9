using Amazon.KeyManagementService;
using Amazon.Runtime;
using KeyRotation.Core.Events;
using KeyRotation.Core.Grants;
using KeyRotation.Core.Hooks;
using KeyRotation.Core.Pacing;
using KeyRotation.Core.Protocol;
using KeyRotation.Core.Tagging;

namespace KeyRotation.Core;

/// <summary>
/// Runs a rotation over many aliases: each alias independently (one failing does not stop the others),
/// several at once, and none started too close to the deadline. With a <see cref="KmsRequestPacer"/> (the one the
/// clients' requests pass through), how many at once is sized as the run goes from the quotas and the observed calls
/// (<see cref="ConcurrencySizing"/>), up to <see cref="RotationOptions.MaxConcurrency"/>; without one, that many at once.
/// Throttling that still happens is left to the AWS SDK's retry, which the caller configures on the client.
/// </summary>
public sealed partial class RotationEngine
{
    private readonly AliasRotation _rotation;
    private readonly IRotationNotifier _notifier;
    private readonly RotationOptions _options;
    private readonly TimeProvider _time;
    private readonly IRotationLog _log;
    private readonly IKeyMaterialImporter? _importer;
    private readonly KmsRequestPacer? _pacer;
    private readonly KeyGrantsReader _grants;
    private readonly AfterMoveHook _afterMove;
    private readonly LifecycleEventPublisher? _events;

    public RotationEngine(
        IAmazonKeyManagementService kms,
        IRotationNotifier notifier,
        RotationOptions options,
        TimeProvider time,
        IRotationLog log,
        IKeyMaterialImporter? importer = null,
        IAmazonKeyManagementService? createKeyClient = null,
        ITaggedKeyFinder? keyFinder = null,
        KmsRegionClients? regionClients = null,
        KmsRequestPacer? pacer = null,
        IHookFunctions? hooks = null,
        LifecycleEventPublisher? events = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.KeyMaterialOrigin == KeyMaterialOrigin.External && importer is null)
        {
            throw new ArgumentException("Rotation with imported key material (EXTERNAL) needs a key material importer.", nameof(importer));
        }

        _notifier = notifier;
        _options = options;
        _time = time;
        _log = log;
        _importer = importer;
        _pacer = pacer;
        _grants = new KeyGrantsReader(kms);
        _rotation = new AliasRotation(kms, createKeyClient ?? kms, options, time, log, importer, keyFinder, regionClients, hooks, events);
        _afterMove = new AfterMoveHook(hooks, options, time, log);
        _events = events;
    }

    /// <summary>
    /// Rotates (or plans) every alias of the request and notifies for each rotated or failed one;
    /// <paramref name="completed"/> hears of each alias as it finishes (progress).
    /// </summary>
    public async Task<RotationReport> RunAsync(RotationRequest request, CancellationToken cancellationToken, Action<AliasRotationResult>? completed = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var results = new AliasRotationResult[request.Aliases.Count];
        var width = new RunWidth(_pacer, Math.Max(1, _options.MaxConcurrency));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var workers = new List<Task>();
        var gate = new Lock();
        var running = 0;
        var next = -1;

        void Grow()
        {
            lock (gate)
            {
                while (running < width.Target && Volatile.Read(ref next) + running + 1 < request.Aliases.Count)
                {
                    running++;
                    workers.Add(Task.Run(WorkerAsync, CancellationToken.None));
                }
            }
        }

        // A worker leaves when no alias is left, or when more are running than the width now wants; "running" changes
        // under the gate in the same step as that decision, so the last worker never leaves while aliases remain.
        async Task WorkerAsync()
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var index = Interlocked.Increment(ref next);
                    if (index >= request.Aliases.Count)
                    {
                        break;
                    }

                    var result = await RotateAndNotifyAsync(request, request.Aliases[index], stop.Token);
                    results[index] = result;
                    width.Finished(result);
                    completed?.Invoke(result);
                    lock (gate)
                    {
                        if (running > width.Target)
                        {
                            running--;
                            return;
                        }
                    }

                    Grow();
                }
            }
            catch
            {
                lock (gate)
                {
                    running--;
                }

                await stop.CancelAsync();
                throw;
            }

            lock (gate)
            {
                running--;
            }
        }

        Grow();
        while (true)
        {
            Task[] started;
            lock (gate)
            {
                started = [.. workers];
            }

            await Task.WhenAll(started);
            lock (gate)
            {
                if (workers.Count == started.Length)
                {
                    break;
                }
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        return new RotationReport(request.RotationId, request.DryRun, results);
    }

    private async Task<AliasRotationResult> RotateAndNotifyAsync(RotationRequest request, string alias, CancellationToken ct)
    {
        if (request.Deadline is { } deadline && deadline - _time.GetUtcNow() < _options.TimeNeededPerAlias)
        {
            var skipped = new AliasRotationResult
            {
                Alias = alias,
                Outcome = RotationOutcome.Skipped,
                Reason = "Not started: the run's time budget was nearly used up. The next run rotates this alias.",
                NotStartedBeforeDeadline = true,
            };
            _log.Write(new RotationLogEntry(RotationLogLevel.Warning, skipped.Reason, request.RotationId, alias));
            return skipped;
        }

        AliasRotationResult result;
        try
        {
            result = await _rotation.RotateAsync(request, alias, ct);
        }
        catch (Exception ex) when (IsRotationError(ex, ct))
        {
            result = new AliasRotationResult
            {
                Alias = alias,
                Outcome = RotationOutcome.Failed,
                Reason = Describe(ex),
            };
        }

        _log.Write(new RotationLogEntry(
            result.Outcome == RotationOutcome.Failed ? RotationLogLevel.Error : RotationLogLevel.Information,
            $"{result.Outcome}: {result.Reason}",
            request.RotationId,
            alias,
            result.PreviousKeyId,
            result.NewKeyId));

        if (result.Outcome == RotationOutcome.Failed && _importer is not null && _options.KeyMaterialOrigin == KeyMaterialOrigin.External)
        {
            result = result with { Notes = [.. result.Notes, .. _importer.StandingWarnings] };
        }

        // Grants stay valid when the material changes inside the same key: only a new key leaves them behind.
        if (result.Outcome == RotationOutcome.Rotated && !request.DryRun && _options.ListPreviousKeyGrants && result.Method != RotationMethod.Material && result.PreviousKeyId is { } previousKeyId)
        {
            result = result with { Notes = [.. result.Notes, await _grants.NoticeAsync(previousKeyId, ct)] };
        }

        if (result.Outcome is RotationOutcome.Rotated or RotationOutcome.Failed && !request.DryRun)
        {
            result = await NotifyAsync(request, result, ct);
        }

        return await PutEventsAsync(request, result, ct);
    }

    private async Task<AliasRotationResult> NotifyAsync(RotationRequest request, AliasRotationResult result, CancellationToken ct)
    {
        if (result.Claim is { } claim)
        {
            // The notification is visible: only the run that still holds the move's claim sends it.
            try
            {
                await _rotation.Claims.FenceAsync(claim, request.Deadline, _time.GetUtcNow(), ct);
            }
            catch (FencedException ex)
            {
                return result with { Outcome = RotationOutcome.Skipped, Reason = $"This run moved {result.Alias} to {result.NewKeyId}, but stopped before the notification: {ex.Message}" };
            }
        }

        result = await _afterMove.RunAsync(request, result, ct);

        var notice = RotationNotice.For(result, request.RotationId, _time.GetUtcNow(), _options.FailureAdvice);
        try
        {
            await _notifier.NotifyAsync(notice, ct);
        }
        catch (Exception ex) when (IsRotationError(ex, ct))
        {
            var error = $"The notification could not be sent: {Describe(ex)}";
            _log.Write(new RotationLogEntry(RotationLogLevel.Error, error, request.RotationId, result.Alias, result.PreviousKeyId, result.NewKeyId));
            if (result.Claim is { } held)
            {
                // The next run repeats the notification at once instead of waiting for the claim to expire.
                await _rotation.Claims.ReleaseAsync(held, error, ct);
            }

            return result with { NotificationError = error };
        }

        if (result.Outcome == RotationOutcome.Rotated && result.NewKeyId is { } newKeyId)
        {
            // The last step (retire the old key): only now is nothing left for a later run to finish (a failed notification is retried).
            try
            {
                await _rotation.FinishAsync(request, result, ct);
            }
            catch (FencedException ex)
            {
                _log.Write(new RotationLogEntry(RotationLogLevel.Warning, $"Stopped before the last step (another run finishes it): {ex.Message}", request.RotationId, result.Alias, result.PreviousKeyId, newKeyId));
            }
            catch (Exception ex) when (IsRotationError(ex, ct))
            {
                // The rotation and its notification are done; the old key is not yet tagged retired (or, for an earlier
                // version's move, the new key stays pending), and the next run repeats the notification (at least once)
                // and that last step. Not worth failing the alias, or the batch, for.
                _log.Write(new RotationLogEntry(RotationLogLevel.Warning, $"Could not finish the rotation's last step (the next run will): {Describe(ex)}", request.RotationId, result.Alias, result.PreviousKeyId, newKeyId));
            }
        }

        return result;
    }

    /// <summary>
    /// Errors a rotation reports for its alias and survives. Anything else (a bug, the process being torn down,
    /// the run's own cancellation) propagates: the next run finishes from the state recorded in KMS.
    /// </summary>
    private static bool IsRotationError(Exception ex, CancellationToken ct) => ex switch
    {
        RotationException or AmazonClientException or HttpRequestException or NotificationFailedException => true,
        OperationCanceledException => !ct.IsCancellationRequested,
        _ => false,
    };

    private static string Describe(Exception ex) => ex switch
    {
        RotationException => ex.Message,
        AmazonServiceException service => $"{service.ErrorCode ?? service.GetType().Name}: {service.Message}",
        OperationCanceledException => "the call timed out",
        _ => ex.Message,
    };
}
