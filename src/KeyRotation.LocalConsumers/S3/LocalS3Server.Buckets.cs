using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace KeyRotation.LocalConsumers.S3;

/// <summary>The bucket operations: ListBuckets (paged), Get/PutBucketEncryption and GetBucketVersioning.</summary>
internal sealed partial class LocalS3Server
{
    /// <summary>
    /// ListBuckets: sorted by name; bucket-region and prefix filter; max-buckets pages with an opaque continuation token.
    /// With none of bucket-region, prefix, continuation-token or max-buckets every bucket comes in one answer; with one of
    /// them and no max-buckets the page size is 10,000, as the API reference says.
    /// </summary>
    private LocalS3Answer ListBuckets(LocalS3Call call)
    {
        var region = IgnoreBucketRegion ? null : call.QueryValue("bucket-region");
        var prefix = call.QueryValue("prefix");
        var token = call.QueryValue("continuation-token");
        var paged = region is not null || prefix is not null || token is not null || call.QueryValue("max-buckets") is not null;
        var max = call.QueryValue("max-buckets") is { } m ? int.Parse(m, CultureInfo.InvariantCulture) : paged ? 10_000 : int.MaxValue;
        if (max is < 1 or > 10_000)
        {
            throw new LocalS3Error(400, "InvalidArgument", "Argument max-buckets must be an integer between 1 and 10000.");
        }

        var after = token is null ? null : Encoding.UTF8.GetString(Convert.FromBase64String(token));
        var matching = _buckets.Values
            .Where(b => region is null || b.Region == region)
            .Where(b => prefix is null || b.Name.StartsWith(prefix, StringComparison.Ordinal))
            .Where(b => after is null || string.CompareOrdinal(b.Name, after) > 0)
            .OrderBy(b => b.Name, StringComparer.Ordinal)
            .ToList();
        var page = matching.Take(max).ToList();
        var body = X(
            "ListAllMyBucketsResult",
            X("Buckets", page.Select(b => X("Bucket", X("CreationDate", "2026-01-01T00:00:00.000Z"), X("Name", b.Name), X("BucketRegion", b.Region), X("BucketArn", "arn:aws:s3:::" + b.Name)))),
            X("Owner", X("ID", OwnerId)),
            matching.Count > page.Count ? X("ContinuationToken", Convert.ToBase64String(Encoding.UTF8.GetBytes(page[^1].Name))) : null,
            prefix is null ? null : X("Prefix", prefix));
        return Ok(body);
    }

    private static LocalS3Answer GetBucketEncryption(LocalS3Bucket bucket)
    {
        if (bucket.Encryption is null)
        {
            throw new LocalS3Error(404, "ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found", bucket.Name);
        }

        return Ok(X("ServerSideEncryptionConfiguration", bucket.Encryption.Select(r => X(
            "Rule",
            X("ApplyServerSideEncryptionByDefault", X("SSEAlgorithm", r.Algorithm), r.KmsMasterKeyId is null ? null : X("KMSMasterKeyID", r.KmsMasterKeyId)),
            r.BucketKeyEnabled is { } enabled ? X("BucketKeyEnabled", enabled ? "true" : "false") : null))));
    }

    /// <summary>PutBucketEncryption: the configuration replaces the bucket's; KMSMasterKeyID only with aws:kms or aws:kms:dsse; stored as sent.</summary>
    private static LocalS3Answer PutBucketEncryption(LocalS3Bucket bucket, LocalS3Call call)
    {
        var document = XDocument.Parse(call.Body);
        var rules = document.Root!.Elements().Where(e => e.Name.LocalName == "Rule").Select(rule =>
        {
            var defaults = rule.Elements().Single(e => e.Name.LocalName == "ApplyServerSideEncryptionByDefault");
            var algorithm = defaults.Elements().Single(e => e.Name.LocalName == "SSEAlgorithm").Value;
            var key = defaults.Elements().SingleOrDefault(e => e.Name.LocalName == "KMSMasterKeyID")?.Value;
            var bucketKey = rule.Elements().SingleOrDefault(e => e.Name.LocalName == "BucketKeyEnabled")?.Value;
            if (algorithm is not ("AES256" or "aws:kms" or "aws:kms:dsse") || (key is not null && algorithm == "AES256"))
            {
                throw new LocalS3Error(400, "InvalidArgument", "The encryption method specified is not supported or KMSMasterKeyID is not allowed with it.");
            }

            return new LocalS3EncryptionRule(algorithm, key, bucketKey is null ? null : bool.Parse(bucketKey));
        }).ToList();
        if (rules.Count == 0)
        {
            throw new LocalS3Error(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.");
        }

        bucket.Encryption = rules;
        return Ok(null);
    }

    private static LocalS3Answer GetBucketVersioning(LocalS3Bucket bucket) =>
        Ok(X("VersioningConfiguration", bucket.Versioning.Length == 0 ? null : X("Status", bucket.Versioning)));
}
