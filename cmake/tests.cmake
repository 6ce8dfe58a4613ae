# The test suites. Test sources sit beside what they test; this file only wires them to ctest
# with their labels: unit, model, corpus (and later property, fuzz, real).
# The suites drive the CLI, the fuzz targets and the benchmarks: they need all three.
foreach(part CLI FUZZERS BENCHMARKS)
  if(NOT LOOPCHECK_${part})
    message(FATAL_ERROR "LOOPCHECK_TESTS needs LOOPCHECK_${part}=ON")
  endif()
endforeach()
find_package(GTest REQUIRED)
include(GoogleTest)

# The sanitizers slow exploration about tenfold; the longest case (plain DFS over 782k
# schedules, the reduction's soundness check on proactor-stream-adversary) needs the room.
if(LOOPCHECK_SANITIZE)
  set(LOOPCHECK_GTEST_TIMEOUT 1500)
else()
  set(LOOPCHECK_GTEST_TIMEOUT 300)
endif()

function(loopcheck_gtest name label)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE loopcheck_engines loopcheck_options GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS ${label} TIMEOUT ${LOOPCHECK_GTEST_TIMEOUT})
endfunction()

loopcheck_gtest(unit_tests unit
  src/loop/event_loop_test.cc
  src/transport/flow_control_test.cc
  src/transport/chunk_queue_test.cc
  src/transport/selector_stream_test.cc
  src/transport/selector_datagram_test.cc
  src/transport/proactor_stream_test.cc
  src/transport/proactor_datagram_test.cc
  model/world/fake_kernel_test.cc
  model/oracles/monitor_test.cc
  model/engines/reproducer_test.cc
  model/engines/shards_test.cc
  model/engines/exhaustive_test.cc
  model/engines/checkpoints_test.cc
  model/engines/choice_sources_test.cc
  model/engines/world_arena_test.cc
  model/engines/blame_test.cc
  model/engines/visited_states_test.cc
  model/engines/shared_states_test.cc
  model/engines/stealing_test.cc
  model/engines/digest_map_test.cc
  model/engines/zeroed_array_test.cc
  model/engines/sampling_test.cc
  model/engines/shrink_test.cc
  model/world/state_fingerprint_test.cc
  model/world/world_test.cc
  model/world/tls_peer_test.cc
  model/world/app_timer_test.cc
  src/core/tls_engine_test.cc
  src/core/fifo_test.cc
  src/core/bytes_test.cc
  src/tls/openssl_engine_test.cc
  src/tls/certificates_test.cc
  src/tls/start_tls_test.cc
  src/tls/tls_reactor_test.cc
  src/loop/sock_calls_test.cc
  src/streams/stream_reader_test.cc
  model/world/fake_completion_port_test.cc
  model/world/deferral_test.cc
  model/scenarios/registry_test.cc
  model/scenarios/proactor_stream_scenarios_test.cc
)
target_link_libraries(unit_tests PRIVATE loopcheck_tls)
loopcheck_gtest(model_tests model model/oracles/catalog_test.cc model/apps/adversary_test.cc
                model/scenarios/seed_stories_test.cc model/engines/fingerprint_futures_test.cc)
# conformance: CPython 3.13's own transport tests (test_selector_events.py, test_proactor_events.py,
# test_sslproto.py),
# one case per CPython test, run against loopcheck's transports.
loopcheck_gtest(conformance_tests conformance
                src/transport/conformance/selector_events_test.cc
                src/transport/conformance/proactor_events_test.cc
                src/transport/conformance/sslproto_test.cc
                src/transport/conformance/sendfile_test.cc)
target_link_libraries(conformance_tests PRIVATE loopcheck_tls)

# corpus: every reproducer replays to the verdict it records.
file(GLOB LOOPCHECK_REGRESSIONS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/corpus/regressions/*.repro)
foreach(repro ${LOOPCHECK_REGRESSIONS})
  get_filename_component(repro_name ${repro} NAME_WE)
  add_test(NAME corpus.regressions.${repro_name} COMMAND loopcheck replay --quiet ${repro})
  set_tests_properties(corpus.regressions.${repro_name} PROPERTIES LABELS corpus TIMEOUT 60)
endforeach()

# The CLI's answers to bad input: clear message, exit code 2, never a crash.
add_test(NAME cli.bad_input COMMAND bash ${PROJECT_SOURCE_DIR}/tools/loopcheck/cli_test.sh
                                    $<TARGET_FILE:loopcheck>)
set_tests_properties(cli.bad_input PROPERTIES LABELS unit TIMEOUT 600)  # about 15 s; minutes under ASan

# Fuzz corpora replay through their targets (the standalone driver under gcc, -runs=0 under
# libFuzzer). With the family's bug switches on, the same corpus must make the target abort:
# that proves the target can fail. Under the fuzz preset each target also fuzzes for 20 s.
set(LOOPCHECK_FAMILY_BUGS_selector_stream_fuzzer "bpo-27223,gh-156512,gh-155888,gh-103462,gh-150107,sendfile-close-hang")
set(LOOPCHECK_FAMILY_BUGS_selector_datagram_fuzzer "dgram-drain,bpo-38471,gh-91227")
set(LOOPCHECK_FAMILY_BUGS_proactor_stream_fuzzer "bpo-33694,bpo-44428,twisted-11020,bpo-32710,proactor-eof-twice")
set(LOOPCHECK_FAMILY_BUGS_ssl_protocol_fuzzer "bpo-33674,bpo-29743,asyncio-472,bpo-29406,bpo-30698,bpo-45159,sslproto-flush-abort,sslproto-paused-finished")
set(LOOPCHECK_FAMILY_BUGS_start_tls_fuzzer "gh-109051,gh-142352,bpo-33694,bpo-33674,sslproto-lost-handshake")
set(LOOPCHECK_FAMILY_BUGS_tls_reactor_fuzzer "reactor-sslsocket")
foreach(target ${LOOPCHECK_FUZZ_TARGETS})
  set(corpus ${PROJECT_SOURCE_DIR}/corpus/${target})
  if(LOOPCHECK_FUZZ)
    set(run_once -runs=0)
  else()
    set(run_once "")
  endif()
  add_test(NAME corpus.${target} COMMAND ${target} ${run_once} ${corpus})
  # Every seed made from a catalog reproducer's schedule must find its bug, one by one.
  # (A family with no catalog switch, like proactor datagram, has no such seeds.)
  set_tests_properties(corpus.${target} PROPERTIES LABELS corpus TIMEOUT 120)
  file(GLOB schedule_seeds ${corpus}/*-schedule)
  if(schedule_seeds)
    add_test(NAME corpus.${target}.with_bugs
             COMMAND bash ${PROJECT_SOURCE_DIR}/fuzz/expect_finding.sh $<TARGET_FILE:${target}> ${run_once}
                     -- ${schedule_seeds})
    set_tests_properties(corpus.${target}.with_bugs PROPERTIES LABELS corpus TIMEOUT 120
      ENVIRONMENT "LOOPCHECK_FUZZ_BUGS=${LOOPCHECK_FAMILY_BUGS_${target}}")
  endif()
  if(LOOPCHECK_FUZZ)
    file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz-work/${target})
    add_test(NAME fuzz.${target}
             COMMAND ${target} -max_total_time=20 -seed=1
                     -artifact_prefix=${CMAKE_BINARY_DIR}/fuzz-work/
                     ${CMAKE_BINARY_DIR}/fuzz-work/${target} ${corpus})
    set_tests_properties(fuzz.${target} PROPERTIES LABELS fuzz TIMEOUT 180)
  endif()
endforeach()

# A switch no scenario of the target reaches is refused, not fuzzed as if it were on.
add_test(NAME corpus.fuzz_bugs_refuses_a_foreign_switch
         COMMAND sh -c "LOOPCHECK_FUZZ_BUGS=bpo-33694 \"$1\" \"$2\"; echo exit $?"
                 refuse $<TARGET_FILE:selector_stream_fuzzer> ${PROJECT_SOURCE_DIR}/corpus/selector_stream_fuzzer)
set_tests_properties(corpus.fuzz_bugs_refuses_a_foreign_switch PROPERTIES LABELS corpus TIMEOUT 60
  PASS_REGULAR_EXPRESSION "switch bpo-33694 lives in the proactor stream family.*exit 2")

# The OSS-Fuzz build script, run here without Docker (needs clang, which bootstrap installs).
add_test(NAME fuzz.oss_fuzz_build
         COMMAND bash ${PROJECT_SOURCE_DIR}/fuzz/oss-fuzz/check_build.sh ${CMAKE_BINARY_DIR}/oss-fuzz)
set_tests_properties(fuzz.oss_fuzz_build PROPERTIES LABELS fuzz TIMEOUT 900 RUN_SERIAL TRUE)

# property: RapidCheck suites. RC_PARAMS is never set here, so RC_PARAMS="reproduce=..." works;
# max_success stays at RapidCheck's default (100) per property, and TIMEOUT bounds the time.
find_package(rapidcheck REQUIRED)
add_executable(property_tests
  properties/property_support.cc
  properties/selector_stream_properties.cc
  properties/selector_datagram_properties.cc
  properties/proactor_properties.cc
  properties/write_buffer_state_properties.cc
  properties/ssl_protocol_properties.cc
  properties/start_tls_properties.cc
  properties/tls_reactor_properties.cc
)
target_link_libraries(property_tests PRIVATE loopcheck_engines loopcheck_options rapidcheck rapidcheck_gtest
                                             GTest::gtest GTest::gtest_main)
gtest_discover_tests(property_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS property TIMEOUT 600)

# bench: the benchmark binary runs (briefly); it measures, it never judges speed.
add_test(NAME bench.smoke COMMAND loopcheck_benchmarks --benchmark_min_time=0.001
                                  --benchmark_filter=default_schedule)
set_tests_properties(bench.smoke PROPERTIES LABELS bench TIMEOUT 120)
# SPIN and loopcheck side by side (docs/PERFORMANCE.md): on tiny instances both run and agree.
add_test(NAME bench.spin_side_by_side
         COMMAND bash -c "SMOKE=1 '${PROJECT_SOURCE_DIR}/bench/spin_side_by_side.sh' '$<TARGET_FILE:loopcheck>' 1 > spin.md && cat spin.md && test $(grep -c 'SPIN: 0 errors; loopcheck: clean, complete=true' spin.md) = 2 && grep -q 'SPIN: assertion violated.*loopcheck: violation' spin.md")
set_tests_properties(bench.spin_side_by_side PROPERTIES LABELS bench TIMEOUT 300)

# real: the same transports on real sockets (loopback and AF_UNIX only). One at a time.
add_test(NAME real.dgram_drain.fixed_never_loses COMMAND loopcheck real dgram-drain --runs 100)
add_test(NAME real.dgram_drain.switch_loses COMMAND loopcheck real dgram-drain --bug dgram-drain --runs 5)
set_tests_properties(real.dgram_drain.switch_loses PROPERTIES
  PASS_REGULAR_EXPRESSION "[1-9][0-9]* of 5 runs lossy")
add_test(NAME real.echo COMMAND loopcheck real echo --bytes 67108864 --pause-every 2)
set_tests_properties(real.dgram_drain.fixed_never_loses real.dgram_drain.switch_loses real.echo
  PROPERTIES LABELS real TIMEOUT 300 RESOURCE_LOCK real_sockets)

# real: the SSL protocol on loopback, both ends here: epoll and io_uring, TLS 1.2 and 1.3.
add_test(NAME real.tls_echo.epoll.tls13 COMMAND loopcheck real tls-echo --bytes 16777216 --pause-every 2)
add_test(NAME real.tls_echo.epoll.tls12 COMMAND loopcheck real tls-echo --tls 1.2 --bytes 16777216 --pause-every 2)
add_test(NAME real.tls_echo.io_uring.tls13 COMMAND loopcheck real tls-echo --proactor --bytes 16777216 --pause-every 2)
set_tests_properties(real.tls_echo.epoll.tls13 real.tls_echo.epoll.tls12 real.tls_echo.io_uring.tls13 PROPERTIES
  LABELS real TIMEOUT 300 RESOURCE_LOCK real_sockets SKIP_RETURN_CODE 77)

# interop: the same SSL protocol against peers nobody here wrote (CPython's asyncio, openssl
# s_client and s_server), 16 MiB each way, TLS 1.2 and 1.3; skipped with a message (77) without
# them.
foreach(version 12 13)
  foreach(case asyncio-server asyncio-client asyncio-client-drop openssl-client openssl-server
               asyncio-starttls-server asyncio-starttls-client)
    add_test(NAME interop.${case}.tls${version}
             COMMAND bash ${PROJECT_SOURCE_DIR}/tests/interop/run.sh $<TARGET_FILE:loopcheck> ${case} ${version})
    set_tests_properties(interop.${case}.tls${version} PROPERTIES
      LABELS interop TIMEOUT 300 RESOURCE_LOCK real_sockets SKIP_RETURN_CODE 77)
  endforeach()
endforeach()

# Seed 001 over epoll: the driver's reactor reaches READY every time; with reactor-sslsocket it
# fails by the connect timeout, and the monitor names the TypeError nobody retrieved. Against a
# CPython asyncio server too (interop).
add_test(NAME real.reactor.fixed_always_ready COMMAND loopcheck real reactor --runs 100)
add_test(NAME real.reactor.switch_names_the_swallowed_error
         COMMAND loopcheck real reactor --bug reactor-sslsocket --connect-timeout-ms 500)
set_tests_properties(real.reactor.switch_names_the_swallowed_error PROPERTIES PASS_REGULAR_EXPRESSION
  "OperationTimedOut[^\n]*\n  oracles: VIOLATION O6: task handle_(read|write) failed with [^\n]*TypeError: Socket cannot be of type SSLSocket")
set_tests_properties(real.reactor.fixed_always_ready real.reactor.switch_names_the_swallowed_error PROPERTIES
  LABELS real TIMEOUT 120 RESOURCE_LOCK real_sockets)
# Seed 004 over epoll: close() on a TLS transport whose peer never answers close_notify.
add_test(NAME real.close_no_notify.fixed_lost_at_the_timeout COMMAND loopcheck real close-no-notify)
add_test(NAME real.close_no_notify.switch_never_lost COMMAND loopcheck real close-no-notify --bug bpo-29406)
set_tests_properties(real.close_no_notify.switch_never_lost PROPERTIES PASS_REGULAR_EXPRESSION
  "connection_lost never came")
set_tests_properties(real.close_no_notify.fixed_lost_at_the_timeout real.close_no_notify.switch_never_lost PROPERTIES
  LABELS real TIMEOUT 120 RESOURCE_LOCK real_sockets)
add_test(NAME interop.asyncio-reactor.tls13
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/interop/run.sh $<TARGET_FILE:loopcheck> asyncio-reactor 13)
set_tests_properties(interop.asyncio-reactor.tls13 PROPERTIES
  LABELS interop TIMEOUT 300 RESOURCE_LOCK real_sockets SKIP_RETURN_CODE 77)

# interop: the differential run. The same random scripts of transport calls and peer actions on
# CPython's own selector stream and datagram transports (the python3 installed here) and on
# loopcheck's over epoll; any difference that is not a documented one fails
# (tests/differential/run.py).
add_test(NAME interop.differential.selector
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/differential/run.sh $<TARGET_FILE:loopcheck>
                 --seed 1 --count 2000 --seconds 60)
set_tests_properties(interop.differential.selector PROPERTIES
  LABELS interop TIMEOUT 180 SKIP_RETURN_CODE 77)
# The same with loop.sendfile among the app's calls (a file on disk, or a BytesIO for the fallback).
add_test(NAME interop.differential.sendfile
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/differential/run.sh $<TARGET_FILE:loopcheck>
                 --transports sendfile --seed 1 --count 1000 --seconds 60)
set_tests_properties(interop.differential.sendfile PROPERTIES
  LABELS interop TIMEOUT 180 SKIP_RETURN_CODE 77)

# interop: the bugs loopcheck found in asyncio itself (docs/FINDINGS.md), each shown on the
# python3 installed here. Passing means this python still has the bug.
foreach(finding sslproto_flush_abort sslproto_lost_handshake sslproto_paused_finished abort_after_flushed_close
                writelines_no_pause sendfile_offset_zero sendfile_close_hang)
  add_test(NAME interop.asyncio_findings.${finding}
           COMMAND bash ${PROJECT_SOURCE_DIR}/tests/asyncio_findings/run.sh $<TARGET_FILE:loopcheck> ${finding})
  set_tests_properties(interop.asyncio_findings.${finding} PROPERTIES
    LABELS interop TIMEOUT 120 RESOURCE_LOCK real_sockets SKIP_RETURN_CODE 77)
endforeach()

# deploy: an exploration split into shares (explore --shard I/N, --jobs, the Kubernetes Indexed
# Job and the Slurm array under deploy/) merges into what the single run says; ClusterFuzzLite
# builds what OSS-Fuzz builds (tests/deploy/run.sh).
foreach(mode shards jobs kubernetes slurm clusterfuzzlite)
  add_test(NAME deploy.${mode}
           COMMAND bash ${PROJECT_SOURCE_DIR}/tests/deploy/run.sh ${mode} $<TARGET_FILE:loopcheck>)
  set_tests_properties(deploy.${mode} PROPERTIES LABELS deploy TIMEOUT 300 SKIP_RETURN_CODE 77)
endforeach()

# real: the fake kernel checked against the real one (differential), and the real sockets' own receive shapes.
add_executable(fidelity_tests model/world/fake_kernel_fidelity_test.cc src/real/posix_sockets_test.cc)
target_link_libraries(fidelity_tests PRIVATE loopcheck_engines loopcheck_real loopcheck_options
                                             GTest::gtest GTest::gtest_main)
gtest_discover_tests(fidelity_tests DISCOVERY_MODE PRE_TEST
                     PROPERTIES LABELS real TIMEOUT 300 RESOURCE_LOCK real_sockets)
# real: bpo-33694's race on io_uring. Exit 77 (skipped, with the reason) where io_uring is
# unavailable; the last test proves that path says so instead of passing.
add_test(NAME real.race_echo.fixed_never_loses COMMAND loopcheck real race-echo --runs 20)
add_test(NAME real.race_echo.switch_loses COMMAND loopcheck real race-echo --bug bpo-33694 --runs 3)
set_tests_properties(real.race_echo.switch_loses PROPERTIES PASS_REGULAR_EXPRESSION "[1-9][0-9]* of 3 runs lossy")
set_tests_properties(real.race_echo.fixed_never_loses real.race_echo.switch_loses PROPERTIES
  LABELS real TIMEOUT 300 RESOURCE_LOCK real_sockets SKIP_RETURN_CODE 77)
# Seed 000 on io_uring: the server is slow between its greeting and start_tls, so the
# ClientHello has completed its recv when start_tls pauses reading (the write-up's 176 bytes).
add_test(NAME real.start_tls.fixed_never_loses COMMAND loopcheck real start-tls --runs 100)
add_test(NAME real.start_tls.switch_loses COMMAND loopcheck real start-tls --bug bpo-33694 --runs 3)
set_tests_properties(real.start_tls.switch_loses PROPERTIES PASS_REGULAR_EXPRESSION "[1-9][0-9]* of 3 runs lossy")
# bpo-33674 on the same shape: the ClientHello's completion, polled after the step, meets a
# handshake put off by call_soon and reaches the app as plaintext.
add_test(NAME real.start_tls.handshake_put_off COMMAND loopcheck real start-tls --bug bpo-33674 --runs 3)
set_tests_properties(real.start_tls.handshake_put_off PROPERTIES
  PASS_REGULAR_EXPRESSION "[1-9][0-9]* of 3 runs handed TLS bytes to the app as plaintext")
set_tests_properties(real.start_tls.fixed_never_loses real.start_tls.switch_loses real.start_tls.handshake_put_off PROPERTIES
  LABELS real TIMEOUT 300 RESOURCE_LOCK real_sockets SKIP_RETURN_CODE 77)
add_test(NAME real.dgram_drain.io_uring_never_loses COMMAND loopcheck real dgram-drain --io-uring --runs 100)
set_tests_properties(real.dgram_drain.io_uring_never_loses PROPERTIES
  LABELS real TIMEOUT 300 RESOURCE_LOCK real_sockets SKIP_RETURN_CODE 77)
add_test(NAME real.race_echo.says_why_it_skips
  COMMAND sh -c "out=$(LOOPCHECK_IO_URING=off \"$1\" real race-echo); rc=$?; echo \"$out\"; [ $rc -eq 77 ] && echo \"$out\" | grep -q 'skipped: io_uring is turned off'"
          race $<TARGET_FILE:loopcheck>)
set_tests_properties(real.race_echo.says_why_it_skips PROPERTIES LABELS real TIMEOUT 60)

# real: the io_uring binding's contract on this kernel; a kernel that refuses io_uring makes
# these show as skipped (with gtest's reason), never as passed.
if(LOOPCHECK_IO_URING)
add_executable(uring_tests src/real/uring_proactor_test.cc)
target_link_libraries(uring_tests PRIVATE loopcheck_real loopcheck_options GTest::gtest GTest::gtest_main)
gtest_discover_tests(uring_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS real TIMEOUT 120
                     RESOURCE_LOCK real_sockets SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]")
# LOOPCHECK_IO_URING=off reaches the gtest cases too: every one skips, saying why.
add_test(NAME real.uring_tests.skip_when_turned_off COMMAND uring_tests)
set_tests_properties(real.uring_tests.skip_when_turned_off PROPERTIES LABELS real TIMEOUT 60
  ENVIRONMENT LOOPCHECK_IO_URING=off
  PASS_REGULAR_EXPRESSION "turned off by LOOPCHECK_IO_URING=off"
  FAIL_REGULAR_EXPRESSION "\\[       OK \\]")
endif()
# real: a real run that meets its time limit is judged by whether its data still moved.
add_executable(real_world_tests tools/loopcheck/real_world_test.cc)
target_link_libraries(real_world_tests PRIVATE loopcheck_cli loopcheck_options GTest::gtest GTest::gtest_main)
gtest_discover_tests(real_world_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS real TIMEOUT 60)
add_test(NAME real.load COMMAND loopcheck real load --connections 1000 --bytes 1048576 --reset-percent 10)
# Clients that write at most 64 KiB ahead of their echo, as the 10,000-connection run does
# (docs/PERFORMANCE.md), with slower toggles of their reading.
add_test(NAME real.load.window COMMAND loopcheck real load --connections 1000 --bytes 1048576
         --reset-percent 10 --window 65536 --pause-min-ms 5 --pause-max-ms 100)
set_tests_properties(real.load real.load.window PROPERTIES LABELS real TIMEOUT 300 RESOURCE_LOCK real_sockets
  SKIP_RETURN_CODE 77)
add_test(NAME bench.real_echo_throughput.smoke COMMAND real_echo_throughput 4)
set_tests_properties(bench.real_echo_throughput.smoke PROPERTIES LABELS "bench;real" TIMEOUT 120
  RESOURCE_LOCK real_sockets)

# example: docs/USING.md run end to end. It installs this build into the build tree, builds
# examples/line_protocol against the installed package (and once more through add_subdirectory),
# finds the example's switch and certifies its fix; every code block of USING.md is checked.
# The example is compiled as this build was (compiler, sanitizers), so that it can link it.
set(LOOPCHECK_EXAMPLE_FLAGS "")
if(LOOPCHECK_SANITIZE)
  set(LOOPCHECK_EXAMPLE_FLAGS "-fsanitize=address,undefined")
endif()
if(LOOPCHECK_FUZZ)
  set(LOOPCHECK_EXAMPLE_FLAGS "${LOOPCHECK_EXAMPLE_FLAGS} -fsanitize=fuzzer-no-link")
endif()
add_test(NAME example.using_md
         COMMAND ${CMAKE_COMMAND} -E env CXX=${CMAKE_CXX_COMPILER}
                 "CXXFLAGS=${LOOPCHECK_EXAMPLE_FLAGS}" "LDFLAGS=${LOOPCHECK_EXAMPLE_FLAGS}"
                 python3 ${PROJECT_SOURCE_DIR}/docs/using_test.py ${PROJECT_SOURCE_DIR}/docs/USING.md
                 --source ${PROJECT_SOURCE_DIR} --build ${CMAKE_BINARY_DIR}
                 --work ${CMAKE_BINARY_DIR}/using-md)
set_tests_properties(example.using_md PROPERTIES LABELS example TIMEOUT 900 RUN_SERIAL TRUE)
