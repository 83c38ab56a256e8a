#!/usr/bin/env python3
"""Where a thread's CPU goes, from `perf script -F comm,tid,ip,sym,dso` output of a run with PERF=file
(run.sh): each sample is put in one class by its innermost recognisable frame (kernel send, the loopback
receive the sender's softirq runs, JDK NIO, Netty, Reactor Netty, Reactor operators, Spring, segstream).
Usage: perf script -i FILE -F comm,tid,ip,sym,dso > s.txt; python3 perf-classify.py s.txt 'reactor-http'
(the service needs -XX:+PreserveFramePointer -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit)."""
import sys,collections,re
def classify(frames):
    leaf=frames[0]
    if '[kernel' in leaf:
        # receiving side work (softirq: tcp_v4_rcv etc.) vs sending
        s=' '.join(frames)
        if 'net_rx_action' in s or 'tcp_v4_rcv' in s: return 'kernel: loopback receive (softirq, in the sender)'
        if 'writev' in s or 'tcp_sendmsg' in s or 'do_writev' in s: return 'kernel: send (writev)'
        if 'epoll' in s: return 'kernel: epoll'
        if 'read' in s: return 'kernel: read'
        return 'kernel: other'
    for f in frames:
        if '[kernel' in f: continue
        if 'libjvm' in f and not any(x in ' '.join(frames) for x in ['reactor.','io.netty','springframework']): return 'JVM runtime (GC, compiler, stubs)'
        break
    s=' '.join(frames[:40])
    # attribute by innermost application-ish package
    for f in frames:
        if 'sun.nio.ch' in f or 'java.nio' in f: return 'JDK NIO (socket write/select)'
        if 'io.netty.handler.codec.http' in f: return 'Netty HTTP encoder'
        if 'io.netty' in f: return 'Netty channel/pipeline/event loop'
        if 'reactor.netty' in f: return 'Reactor Netty (MonoSendMany)'
        if 'org.springframework' in f: return 'Spring (ChannelSendOperator, DataBuffer)'
        if 'reactor.core' in f: return 'Reactor operators (sink, merge, takeUntil, map...)'
        if 'io.segstream' in f: return 'segstream (ChangeTail, controller)'
        if 'micrometer' in f: return 'Micrometer (counter, timer)'
    return 'other: '+frames[0].split('(')[0][-60:]
comm=sys.argv[2]
counts=collections.Counter(); total=0
cur=None; frames=[]
def flush():
    global total
    if cur and re.match(comm,cur) and frames:
        counts[classify(frames)]+=1; total+=1
for line in open(sys.argv[1],errors='replace'):
    if line and not line[0].isspace():
        flush(); cur=line.split()[0] if line.strip() else None; frames=[]
    elif line.strip():
        frames.append(line.strip().split(' ',1)[1] if ' ' in line.strip() else line.strip())
flush()
print(f'{sys.argv[1]} threads /{comm}/: {total} samples')
for k,n in counts.most_common(): print(f'  {100*n/total:5.1f}%  {k}')
