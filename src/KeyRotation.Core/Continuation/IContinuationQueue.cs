using System.Diagnostics.CodeAnalysis;

namespace KeyRotation.Core.Continuation;

/// <summary>One alias handed on to a later invocation: its body is what that invocation reads back.</summary>
/// <param name="Alias">The alias, also sent as a message attribute so the dead-letter queue reads without parsing bodies.</param>
/// <param name="RotationId">The run's id, sent as a message attribute too.</param>
/// <param name="Body">The message body (the host's continuation message as JSON).</param>
public sealed record ContinuationEnvelope(string Alias, string RotationId, string Body);

/// <summary>Where a run puts the aliases it could not start before its deadline.</summary>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is a message queue (SQS), as the template names it.")]
public interface IContinuationQueue
{
    /// <summary>
    /// Sends each message, visible after <paramref name="delay"/>; returns the aliases whose message could not be sent,
    /// each with why (empty: all were sent).
    /// </summary>
    Task<IReadOnlyDictionary<string, string>> SendAsync(IReadOnlyList<ContinuationEnvelope> messages, TimeSpan delay, CancellationToken ct);
}
