namespace KeyRotation.Integrations.Pacing;

/// <summary>
/// Waits for a token of the request's KMS operation (from the X-Amz-Target header, "TrentService.CreateKey"), sends the
/// request, and records its latency and whether KMS answered ThrottlingException.
/// </summary>
internal sealed class PacingHandler(KmsRequestPacer pacer, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private const string TargetPrefix = "TrentService.";

    public static string? OperationOf(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers.TryGetValues("X-Amz-Target", out var values) && values.FirstOrDefault() is { } target
            && target.StartsWith(TargetPrefix, StringComparison.Ordinal)
            ? target[TargetPrefix.Length..]
            : null;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var operation = OperationOf(request);
        if (operation is null)
        {
            return await base.SendAsync(request, cancellationToken);
        }

        using var lease = pacer.LimiterFor(operation) is { } limiter ? await limiter.AcquireAsync(1, cancellationToken) : null;
        var started = pacer.Time.GetTimestamp();
        var response = await base.SendAsync(request, cancellationToken);
        var throttled = false;
        if (!response.IsSuccessStatusCode)
        {
            // KMS's JSON error body names the error type: {"__type":"ThrottlingException","message":"..."}.
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throttled = body.Contains("ThrottlingException", StringComparison.Ordinal);
        }

        pacer.Record(operation, pacer.Time.GetElapsedTime(started), throttled);
        return response;
    }
}
