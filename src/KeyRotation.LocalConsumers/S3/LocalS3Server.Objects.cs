using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace KeyRotation.LocalConsumers.S3;

/// <summary>The object reads: ListObjectsV2 (paged), HeadObject, GetObjectAcl, PutObjectAcl and GetObjectTagging.</summary>
internal sealed partial class LocalS3Server
{
    private static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    /// <summary>ListObjectsV2: current versions in key order below prefix, max-keys (default 1,000) a page, an opaque continuation token.</summary>
    private static LocalS3Answer ListObjectsV2(LocalS3Bucket bucket, LocalS3Call call)
    {
        var prefix = call.QueryValue("prefix") ?? string.Empty;
        var max = call.QueryValue("max-keys") is { } m ? int.Parse(m, CultureInfo.InvariantCulture) : 1000;
        var token = call.QueryValue("continuation-token");
        var after = token is not null ? Encoding.UTF8.GetString(Convert.FromBase64String(token)) : call.QueryValue("start-after");
        var url = call.QueryValue("encoding-type") == "url";
        var matching = bucket.Objects.Keys
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && (after is null || string.CompareOrdinal(k, after) > 0))
            .Order(StringComparer.Ordinal)
            .ToList();
        var page = matching.Take(max).Select(k => bucket.Objects[k][^1]).ToList();
        var truncated = matching.Count > page.Count;
        string Encode(string text) => url ? Uri.EscapeDataString(text).Replace("%2F", "/", StringComparison.Ordinal) : text;
        return Ok(X(
            "ListBucketResult",
            X("Name", bucket.Name),
            X("Prefix", Encode(prefix)),
            X("KeyCount", page.Count),
            X("MaxKeys", max),
            url ? X("EncodingType", "url") : null,
            X("IsTruncated", truncated ? "true" : "false"),
            token is null ? null : X("ContinuationToken", token),
            truncated ? X("NextContinuationToken", Convert.ToBase64String(Encoding.UTF8.GetBytes(page[^1].Key))) : null,
            page.Select(o => X(
                "Contents",
                X("Key", Encode(o.Key)),
                X("LastModified", "2026-12-01T00:00:00.000Z"),
                X("ETag", o.ETag),
                o.ChecksumAlgorithm is null ? null : X("ChecksumAlgorithm", o.ChecksumAlgorithm),
                o.ChecksumType is null ? null : X("ChecksumType", o.ChecksumType),
                X("Size", o.Size),
                X("StorageClass", o.StorageClass)))));
    }

    /// <summary>HeadObject: the object's system and user metadata, encryption, storage class (absent for STANDARD), tag count, and its checksum with x-amz-checksum-mode ENABLED.</summary>
    private static LocalS3Answer HeadObject(LocalS3Bucket bucket, LocalS3Call call)
    {
        var item = ObjectOrThrow(bucket, call.Key!, call.QueryValue("versionId"));
        if (call.Header("If-Match") is { } match && match != item.ETag)
        {
            throw new LocalS3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", condition: "If-Match");
        }

        var headers = new List<KeyValuePair<string, string>>
        {
            new("Content-Length", item.Size.ToString(CultureInfo.InvariantCulture)),
            new("Content-Type", item.ContentType),
            new("ETag", item.ETag),
            new("Last-Modified", item.LastModified),
            new("Accept-Ranges", "bytes"),
            new("x-amz-server-side-encryption", item.Sse),
        };
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                headers.Add(new(name, value));
            }
        }

        Add("x-amz-server-side-encryption-aws-kms-key-id", item.KmsKeyId);
        Add("x-amz-server-side-encryption-bucket-key-enabled", item.BucketKeyEnabled ? "true" : null);
        Add("x-amz-storage-class", item.StorageClass == "STANDARD" ? null : item.StorageClass);
        Add("x-amz-version-id", item.VersionId);
        Add("Cache-Control", item.CacheControl);
        Add("Content-Disposition", item.ContentDisposition);
        Add("Content-Encoding", item.ContentEncoding);
        Add("Content-Language", item.ContentLanguage);
        Add("Expires", item.Expires);
        Add("x-amz-website-redirect-location", item.WebsiteRedirectLocation);
        Add("x-amz-tagging-count", item.Tags.Count > 0 ? item.Tags.Count.ToString(CultureInfo.InvariantCulture) : null);
        foreach (var (name, value) in item.Metadata)
        {
            Add("x-amz-meta-" + name, value);
        }

        if (call.Header("x-amz-checksum-mode") == "ENABLED" && item.ChecksumAlgorithm is { } algorithm)
        {
            Add("x-amz-checksum-" + algorithm.ToLowerInvariant(), item.ChecksumValue);
            Add("x-amz-checksum-type", item.ChecksumType);
        }

        return new LocalS3Answer(200, headers, null);
    }

    private static LocalS3Answer GetObjectAcl(LocalS3Bucket bucket, LocalS3Call call)
    {
        var item = ObjectOrThrow(bucket, call.Key!, call.QueryValue("versionId"));
        return Ok(
            X(
                "AccessControlPolicy",
                new XAttribute(XNamespace.Xmlns + "xsi", Xsi),
                X("Owner", X("ID", item.Owner)),
                X("AccessControlList", item.Grants.Select(g => X(
                    "Grant",
                    X("Grantee", new XAttribute(Xsi + "type", g.Id is null ? "Group" : "CanonicalUser"), g.Id is null ? X("URI", g.Uri) : X("ID", g.Id)),
                    X("Permission", g.Permission))))),
            VersionHeader(item));
    }

    /// <summary>PutObjectAcl: an AccessControlPolicy body, or x-amz-grant-* headers (id="..." or uri="..."), replaces the version's ACL.</summary>
    private static LocalS3Answer PutObjectAcl(LocalS3Bucket bucket, LocalS3Call call)
    {
        var item = ObjectOrThrow(bucket, call.Key!, call.QueryValue("versionId"));
        var grants = call.Body.Length > 0
            ? XDocument.Parse(call.Body).Descendants().Where(e => e.Name.LocalName == "Grant").Select(g =>
            {
                var grantee = g.Elements().Single(e => e.Name.LocalName == "Grantee");
                return new LocalS3Grant(
                    grantee.Elements().SingleOrDefault(e => e.Name.LocalName == "ID")?.Value,
                    grantee.Elements().SingleOrDefault(e => e.Name.LocalName == "URI")?.Value,
                    g.Elements().Single(e => e.Name.LocalName == "Permission").Value);
            }).ToList()
            : GrantsFromHeaders(call) ?? throw new LocalS3Error(400, "MissingSecurityHeader", "Your request was missing a required header", condition: "x-amz-acl");
        var versions = bucket.Objects[item.Key];
        versions[versions.IndexOf(item)] = item with { Grants = grants };
        return Ok(null, VersionHeader(item));
    }

    private static LocalS3Answer GetObjectTagging(LocalS3Bucket bucket, LocalS3Call call)
    {
        var item = ObjectOrThrow(bucket, call.Key!, call.QueryValue("versionId"));
        return Ok(X("Tagging", X("TagSet", item.Tags.Select(t => X("Tag", X("Key", t.Key), X("Value", t.Value))))), VersionHeader(item));
    }

    /// <summary>The grants of x-amz-grant-* headers (each a comma-separated list of id="..." or uri="..."); null when there are none.</summary>
    private static List<LocalS3Grant>? GrantsFromHeaders(LocalS3Call call)
    {
        var grants = new List<LocalS3Grant>();
        foreach (var (header, permission) in new[] { ("x-amz-grant-full-control", "FULL_CONTROL"), ("x-amz-grant-read", "READ"), ("x-amz-grant-read-acp", "READ_ACP"), ("x-amz-grant-write-acp", "WRITE_ACP") })
        {
            foreach (var grantee in (call.Header(header) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var (kind, value) = (grantee.Split('=', 2)[0], grantee.Split('=', 2)[1].Trim('"'));
                grants.Add(kind switch
                {
                    "id" => new LocalS3Grant(value, null, permission),
                    "uri" => new LocalS3Grant(null, value, permission),
                    _ => throw new LocalS3Error(400, "InvalidArgument", $"Grantee {grantee} is not id=\"...\" or uri=\"...\"."),
                });
            }
        }

        return grants.Count > 0 ? grants : call.Header("x-amz-acl") == "private" ? [new LocalS3Grant(OwnerId, null, "FULL_CONTROL")] : null;
    }

    private static KeyValuePair<string, string>[] VersionHeader(LocalS3Object item) => item.VersionId is null ? [] : [new("x-amz-version-id", item.VersionId)];
}
