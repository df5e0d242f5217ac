#include "report_script.hpp"

namespace dli::report {

namespace {

// Rows: [model, format, framework, input shape, batch, threads, parameters, cells]; cells as cell_data writes them
// (report_data.hpp).
// The table is rebuilt as one string per view: a page of rows is a few thousand cells, which the browser lays out in
// milliseconds, where 100,000 cells in the DOM took it half a minute.
constexpr const char* kScript = R"JS(
(function(){
'use strict';
// The small static tables (accuracy): sorted in place by a clicked header, numbers before '-' and 'N/A' either way.
function num(s){s=s.trim();return /^-?[0-9]+(\.[0-9]+)?$/.test(s)?parseFloat(s):null;}
document.querySelectorAll('th[data-col]').forEach(function(th){
 th.addEventListener('click',function(){
  var body=th.closest('table').tBodies[0],col=+th.getAttribute('data-col');
  var dir=th.getAttribute('data-dir')==='asc'?'desc':'asc';th.setAttribute('data-dir',dir);
  var rows=Array.prototype.slice.call(body.rows);
  rows.sort(function(a,b){
   var x=a.cells[col].textContent,y=b.cells[col].textContent,nx=num(x),ny=num(y),c;
   if(nx!==null&&ny!==null)c=nx-ny;else if(nx!==null)return -1;else if(ny!==null)return 1;else c=x.localeCompare(y);
   return dir==='asc'?c:-c;});
  rows.forEach(function(r){body.appendChild(r);});
 });
});
var data=document.getElementById('data');
if(!data)return;
var D=JSON.parse(data.textContent);
var H=D.hosts,C=D.columns,R=D.rows,I=D.ids;
function $(id){return document.getElementById(id);}
function esc(s){return String(s).replace(/[&<>"']/g,function(c){return '&#'+c.charCodeAt(0)+';';});}
var table=$('matrix');
// The Parameters column only when some row has parameters.
var KEYS=[['Model',0],['Framework',2],['Input shape',3],['Batch',4],['Threads',5]];
if(R.some(function(r){return r[6]!=='';}))KEYS.push(['Parameters',6]);
var text=R.map(function(r){return (r[0]+' '+r[1]+' '+r[2]+' '+r[3]+' '+r[6]).toLowerCase();});
var st={key:null,dir:1,page:0,hostPage:0};
function uniq(values){return Array.from(new Set(values));}
function fill(id,values){
 var s=$(id);
 values.forEach(function(v){var o=document.createElement('option');o.value=v;o.textContent=v;s.appendChild(o);});
}
fill('f-host',H.map(function(h){return h[0];}));
fill('f-framework',uniq(R.map(function(r){return r[2];})).sort());
fill('f-model',uniq(R.map(function(r){return r[0];})).sort());
fill('f-mode',uniq(C.map(function(c){return c.label;})));
function figure(c){return c&&(c[1]==='ok'||c[1]==='invalid')&&c[2]!=null?c[2]:null;}
function cell(c,col){
 if(c===null)return '<td class="na" title="not planned">N/A</td>';
 var s=c[1],f=c[4]|0,v=figure(c),
     body=(f&1?'\u2605':'')+(v===null?(s==='fail'?'-':'N/A'):v.toFixed(col.decimals))+(f&2?'\u26a0':'');
 if(v!==null){
  var change=c[6]==null?'':(c[6]>=0?'+':'')+c[6].toFixed(1)+' %';
  body+='<span class="cv">CV '+(c[3]==null?'':c[3].toFixed(1))+' %'+(c[5]?' \u00b7 \u00d7'+c[5]:'')+
   (s==='invalid'?' INVALID':'')+(f&4?' <span class="regressed">\u25bc '+change+'</span>':'')+
   (f&8?' <span class="improved">\u25b2 '+change+'</span>':'')+'</span>';
 }
 return '<td class="'+s+(f&2?' warned':'')+(f&1?' best':'')+'"'+(c[7]?' title="'+esc(c[7])+'"':'')+
  '><a href="hosts/'+encodeURIComponent(H[col.host][0])+'.html#'+encodeURIComponent(I[c[0]])+'">'+body+'</a></td>';
}
function sortAttr(key){return ' data-key="'+key+'"'+(st.key===key?' data-dir="'+(st.dir>0?'asc':'desc')+'"':'');}
function header(cols){
 var h='<thead><tr>';
 KEYS.forEach(function(k){h+='<th rowspan="3"'+sortAttr('k'+k[1])+'>'+k[0]+'</th>';});
 // Host, then device, each spanning its columns.
 for(var a=0;a<cols.length;){
  var b=a+1,host=C[cols[a]].host;
  while(b<cols.length&&C[cols[b]].host===host)b++;
  h+='<th colspan="'+(b-a)+'" class="host"><a href="hosts/'+encodeURIComponent(H[host][0])+'.html">'+esc(H[host][0])+
   '</a>'+(H[host][1]?'<span class="hw">'+esc(H[host][1])+'</span>':'')+'</th>';
  a=b;
 }
 h+='</tr><tr>';
 for(var a2=0;a2<cols.length;){
  var b2=a2+1,x=C[cols[a2]];
  while(b2<cols.length&&C[cols[b2]].host===x.host&&C[cols[b2]].device===x.device)b2++;
  h+='<th colspan="'+(b2-a2)+'">'+esc(x.device)+'</th>';
  a2=b2;
 }
 h+='</tr><tr>';
 cols.forEach(function(i){
  var c=C[i];
  h+='<th'+sortAttr('c'+i)+' title="'+esc(c.title)+'">'+esc(c.label)+'<span class="unit">'+esc(c.unit)+', '+
   (c.higher?'higher is better \u2191':'lower is better \u2193')+'</span></th>';
 });
 return h+'</tr></thead>';
}
function compare(key,dir){
 var j=+key.slice(1);
 if(key[0]==='k')return function(a,b){
  var x=R[a][j],y=R[b][j],c=typeof x==='number'?x-y:(x<y?-1:x>y?1:0);
  return c*dir||a-b;
 };
 return function(a,b){
  var x=figure(R[a][7][j]),y=figure(R[b][7][j]);
  if(x===null||y===null)return x===null?(y===null?a-b:1):-1;  // rows without a figure last either way
  return (x-y)*dir||a-b;
 };
}
function view(){
 var q=$('filter').value.trim().toLowerCase(),host=$('f-host').value,fw=$('f-framework').value,
     model=$('f-model').value,mode=$('f-mode').value,size=+$('page-size').value;
 // A text naming hosts chooses their columns; any other text chooses rows.
 var named=q?H.map(function(h,i){return h[0].toLowerCase().indexOf(q)>=0?i:-1;}).filter(function(i){return i>=0;}):[];
 var cols=[],rows=[];
 C.forEach(function(c,i){
  if((host===''||H[c.host][0]===host)&&(mode===''||c.label===mode)&&(!named.length||named.indexOf(c.host)>=0))cols.push(i);
 });
 var rq=named.length?'':q;
 for(var i=0;i<R.length;i++){
  var r=R[i];
  if((fw!==''&&r[2]!==fw)||(model!==''&&r[0]!==model)||(rq&&text[i].indexOf(rq)<0))continue;
  // Under a host or mode filter, rows with nothing planned in the chosen columns go.
  if(cols.length<C.length&&!cols.some(function(c){return r[7][c]!==null;}))continue;
  rows.push(i);
 }
 if(st.key!==null)rows.sort(compare(st.key,st.dir));
 // Hosts come a page at a time too: a browser lays out a few thousand cells in milliseconds, not 100,000.
 var hosts=uniq(cols.map(function(c){return C[c].host;})),perHost=+$('hosts-per-page').value||hosts.length||1,
     hostPages=Math.max(1,Math.ceil(hosts.length/perHost));
 st.hostPage=Math.min(st.hostPage,hostPages-1);
 var shownHosts=hosts.slice(st.hostPage*perHost,(st.hostPage+1)*perHost);
 cols=cols.filter(function(c){return shownHosts.indexOf(C[c].host)>=0;});
 $('host-info').textContent=hosts.length?('hosts '+(st.hostPage*perHost+1)+'\u2013'+(st.hostPage*perHost+shownHosts.length)+
  ' of '+hosts.length):'';
 $('prev-hosts').disabled=st.hostPage===0;$('next-hosts').disabled=st.hostPage>=hostPages-1;
 var pages=Math.max(1,Math.ceil(rows.length/size));
 st.page=Math.min(st.page,pages-1);
 var first=st.page*size,shown=rows.slice(first,first+size),body='<tbody>';
 shown.forEach(function(i){
  var r=R[i];
  body+='<tr><td>'+esc(r[0])+' <span class="fmt">'+esc(r[1])+'</span></td><td>'+esc(r[2])+'</td><td>'+esc(r[3])+
   '</td><td class="num">'+r[4]+'</td><td class="num">'+r[5]+'</td>'+(KEYS.length>5?'<td>'+esc(r[6])+'</td>':'');
  cols.forEach(function(c){body+=cell(r[7][c],C[c]);});
  body+='</tr>';
 });
 table.innerHTML=header(cols)+body+'</tbody>';
 $('page-info').textContent=rows.length?('rows '+(first+1)+'\u2013'+(first+shown.length)+' of '+rows.length+
  (rows.length<R.length?' (of '+R.length+')':'')):'no rows match';
 $('prev').disabled=st.page===0;$('next').disabled=st.page>=pages-1;
}
table.addEventListener('click',function(e){
 var th=e.target.closest('th[data-key]');
 if(!th)return;
 var key=th.getAttribute('data-key');
 st.dir=st.key===key?-st.dir:1;st.key=key;st.page=0;view();
});
['filter','f-host','f-framework','f-model','f-mode','page-size','hosts-per-page'].forEach(function(id){
 $(id).addEventListener(id==='filter'?'input':'change',function(){st.page=0;st.hostPage=0;view();});
});
$('prev-hosts').addEventListener('click',function(){st.hostPage--;view();});
$('next-hosts').addEventListener('click',function(){st.hostPage++;view();});
$('prev').addEventListener('click',function(){st.page--;view();});
$('next').addEventListener('click',function(){st.page++;view();});
$('controls').hidden=false;
view();
})();
)JS";

}  // namespace

const char* page_script() { return kScript; }

}  // namespace dli::report
