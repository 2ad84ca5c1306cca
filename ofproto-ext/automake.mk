# ofproto-ext: the pipeline (table map) the controller's flows live in,
# and (later) the extension actions compiled into OpenFlow programs.

EXTRA_DIST += ofproto-ext/pipeline.h
