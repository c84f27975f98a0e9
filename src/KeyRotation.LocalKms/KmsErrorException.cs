namespace KeyRotation.LocalKms;

/// <summary>A KMS error answer; the pipeline turns it into {"__type","message"}.</summary>
internal sealed class KmsErrorException : Exception
{
    public KmsErrorException(string errorCode, string message, int statusCode = 400)
        : base(message)
    {
        ErrorCode = errorCode;
        StatusCode = statusCode;
    }

    public KmsErrorException()
        : this("KMSInternalException", "Internal error", 500)
    {
    }

    public KmsErrorException(string message)
        : this("KMSInternalException", message, 500)
    {
    }

    public KmsErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = "KMSInternalException";
        StatusCode = 500;
    }

    public string ErrorCode { get; }

    public int StatusCode { get; }

    public static KmsErrorException Validation(string message) => new("ValidationException", message);

    public static KmsErrorException NotFound(string message) => new("NotFoundException", message);

    public static KmsErrorException InvalidState(string message) => new("KMSInvalidStateException", message);
}
