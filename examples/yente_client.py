#!/usr/bin/env python3
"""A client of the yente /match API, written the way OpenSanctions' documentation calls it:
POST {base}/match/default with {"queries": {...}} and read responses[key]["results"].

It knows nothing of Clearhouse: pointed at a yente server or at `clearhouse serve`, it works the
same. Python standard library only.

    python3 examples/yente_client.py [BASE_URL]

BASE_URL defaults to $YENTE_BASE_URL, then http://127.0.0.1:8080. An API key in
$YENTE_API_KEY (or $OPENSANCTIONS_API_KEY) is sent as yente's documentation sends it
(`Authorization: ApiKey …`): a Clearhouse token works as one; a token in $CLEARHOUSE_TOKEN is
sent as a bearer token.

Exit codes: 0 answered, 2 the server refused or could not be reached.
"""

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

DATASET = "default"

# The two example queries of OpenSanctions' matching documentation.
QUERIES = {
    "person": {
        "schema": "Person",
        "properties": {
            "name": ["Arkadiii Romanovich Rotenberg", "Ротенберг Аркадий"],
            "birthDate": ["1951"],
            "nationality": ["Russia"],
        },
    },
    "company": {
        "schema": "Company",
        "properties": {
            "name": ["Stroygazmontazh"],
            "jurisdiction": ["Russia"],
        },
    },
}

PARAMS = {"algorithm": "best", "threshold": 0.7}


def base_url():
    if len(sys.argv) > 1:
        return sys.argv[1]
    return os.environ.get("YENTE_BASE_URL", "http://127.0.0.1:8080")


def match(base, queries):
    url = "%s/match/%s?%s" % (
        base.rstrip("/"),
        DATASET,
        urllib.parse.urlencode(PARAMS),
    )
    body = json.dumps({"queries": queries}).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("Accept", "application/json")
    api_key = os.environ.get("YENTE_API_KEY") or os.environ.get("OPENSANCTIONS_API_KEY")
    if api_key:
        request.add_header("Authorization", "ApiKey " + api_key)
    elif os.environ.get("CLEARHOUSE_TOKEN"):
        request.add_header("Authorization", "Bearer " + os.environ["CLEARHOUSE_TOKEN"])
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def main():
    base = base_url()
    try:
        answer = match(base, QUERIES)
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", "replace")
        print("%s: HTTP %d: %s" % (base, error.code, detail), file=sys.stderr)
        return 2
    except (urllib.error.URLError, OSError, ValueError) as error:
        print("%s: %s" % (base, error), file=sys.stderr)
        return 2
    for key, response in answer["responses"].items():
        print("%s: %d result(s)" % (key, len(response["results"])))
        for result in response["results"]:
            print(
                "  %s\t%.3f\t%s\t%s"
                % (
                    result["caption"],
                    result["score"],
                    "match" if result["match"] else "no match",
                    result["id"],
                )
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
