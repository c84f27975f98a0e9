using System.Net;
using Amazon.S3;

namespace KeyRotation.Integrations.Consumers.S3;

/// <summary>What S3's errors mean to the inventory and the migration, in words an operator can act on.</summary>
internal static class S3Errors
{
    public static bool IsAccessDenied(AmazonS3Exception ex) => ex.StatusCode == HttpStatusCode.Forbidden || ex.ErrorCode == "AccessDenied";

    public static bool IsNotFound(AmazonS3Exception ex) => ex.StatusCode == HttpStatusCode.NotFound;

    /// <summary>
    /// S3 answers a request for a bucket of another Region sent to this Region's endpoint with 301 PermanentRedirect
    /// (or 400 AuthorizationHeaderMalformed / IllegalLocationConstraintException, naming the bucket's Region).
    /// </summary>
    public static bool IsOtherRegion(AmazonS3Exception ex) =>
        ex.StatusCode == HttpStatusCode.MovedPermanently || ex.ErrorCode is "PermanentRedirect" or "AuthorizationHeaderMalformed" or "IllegalLocationConstraintException";

    /// <summary>"AccessDenied: GetBucketEncryption needs s3:GetEncryptionConfiguration", or S3's code and message.</summary>
    public static string Reason(AmazonS3Exception ex, string operation, string action) =>
        IsAccessDenied(ex) ? $"AccessDenied: {operation} needs {action}"
        : IsOtherRegion(ex) ? $"in another Region (S3 answered {ex.ErrorCode ?? ((int)ex.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)} to {operation}): scan that Region"
        : $"{operation} failed: {ex.ErrorCode ?? ((int)ex.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)} {ex.Message}".TrimEnd();
}
