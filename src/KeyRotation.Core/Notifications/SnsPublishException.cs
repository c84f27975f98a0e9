using System.Net;

namespace KeyRotation.Core.Notifications;

/// <summary>
/// SNS refused a publish, or every attempt failed. The message names the topic, SNS's error code and
/// SNS's own explanation, so the operator can act on it without digging through logs.
/// </summary>
public sealed class SnsPublishException : Exception
{
    public SnsPublishException()
    {
    }

    public SnsPublishException(string message)
        : base(message)
    {
    }

    public SnsPublishException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>A failure the SNS client describes in full: SNS's code, the last status and request id, and whether it was transient.</summary>
    public SnsPublishException(
        string message,
        string code,
        HttpStatusCode? statusCode,
        string? requestId,
        bool isRetryable,
        Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        StatusCode = statusCode;
        RequestId = requestId;
        IsRetryable = isRetryable;
    }

    /// <summary>SNS's error code (for example <c>AuthorizationError</c>), or <c>NetworkError</c>/<c>InvalidResponse</c>.</summary>
    public string Code { get; } = "Unknown";

    /// <summary>The HTTP status of the last response; null when no response arrived.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>SNS's request id, for AWS support; null when SNS sent none.</summary>
    public string? RequestId { get; }

    /// <summary>Whether the failure was transient (throttling, 5xx, network); such errors were already retried.</summary>
    public bool IsRetryable { get; }
}
