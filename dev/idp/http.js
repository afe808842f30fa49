/**
 * @param {import("node:http").ServerResponse} res
 * @param {number} status
 * @param {string} contentType
 * @param {string} body
 */
export function send(res, status, contentType, body) {
  res.writeHead(status, {
    "content-type": `${contentType}; charset=utf-8`,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  res.end(body);
}

/** True when the request carries an HTML form body. */
export function isForm(/** @type {import("node:http").IncomingMessage} */ req) {
  return (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase() === "application/x-www-form-urlencoded";
}

/**
 * Reads an application/x-www-form-urlencoded body (max 64 KiB).
 * @param {import("node:http").IncomingMessage} req
 * @returns {Promise<Record<string, string>>}
 */
export async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error("request body too large");
    chunks.push(chunk);
  }
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
}
