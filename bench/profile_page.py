"""Where one page's time goes: the page served N times through Django's WSGI handler (as gunicorn
calls it, the whole middleware stack, DEBUG as the environment sets it) for a signed-in user, timed
and profiled with cProfile; prints the mean per request and the top functions by own and
cumulative time.

    DATABASE_URL=... REDIS_URL=... python bench/profile_page.py --user demo_deputy /hello/ /cases/mine/

The profile also gives the number of Python function calls a request, which is the
same on every run whatever the machine's load: the figure to compare two versions of a page by.
`--no-profile` only times (the mean without the profiler's overhead). The CPU time is this
process's alone (not PostgreSQL's or Redis's): steadier than the wall time on a busy machine.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _django  # noqa: E402

settings = _django.setup()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--user", default="demo_deputy")
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()

    from django.contrib.auth import get_user_model
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import Client

    user = get_user_model().objects.get(username=args.user)
    client = Client()
    client.force_login(user)
    cookie = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
    handler = WSGIHandler()

    def call(path):
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path.split("?")[0],
            "QUERY_STRING": path.split("?", 1)[1] if "?" in path else "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1",
            "HTTP_COOKIE": cookie, "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "wsgi.multithread": False,
            "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
        }
        status = []
        body = b"".join(handler(environ, lambda s, h, *a: status.append(s)))
        return status[0], len(body)

    for path in args.paths:
        for _ in range(20):  # warm: templates, caches, connections
            status, size = call(path)
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.n):
            call(path)
        mean = (time.perf_counter() - start) / args.n * 1000
        cpu = (time.process_time() - cpu) / args.n * 1000
        print(f"{path}: {status}, {size} bytes, {mean:.2f} ms a request, {cpu:.2f} ms of this process's CPU "
              f"(means of {args.n}, unprofiled)")
        if args.no_profile:
            continue
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.n):
            call(path)
        profile.disable()
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        # Function calls a request: steady whatever else the machine does (the times are not).
        print(f"{path}: {stats.total_calls / args.n:,.0f} Python function calls a request")
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
